"""The workshop: levers a sales manager decides, and a session that plays them against a baseline.

``levers`` lists the controls with their ranges from the scenario schema; ``session`` advances
the current settings and a frozen baseline month by month with the same seed, and keeps the
rounds the facilitator commits.
"""
