"""Memory of a long-lived process: what a session or a run built is freed when it is done."""

from __future__ import annotations

import gc
import weakref

from conftest import scenario

from sim.model import SalesModel
from sim.workshop.session import Workshop


def test_a_model_that_is_done_with_is_freed() -> None:
    model = SalesModel(scenario("reference"), seed=1)
    model.step()
    gone = weakref.ref(model)
    del model
    gc.collect()
    assert gone() is None


def test_a_workshop_session_that_is_done_with_frees_all_its_runs() -> None:
    """Runs replaced by a change of settings, a reset, a new baseline or a committed round, and
    the session itself, are all freed (a server builds them session after session)."""
    workshop = Workshop(scenario("reference"), seed=1)
    runs = [weakref.ref(workshop.current.model), weakref.ref(workshop.baseline.model)]
    workshop.step(2)
    workshop.change("organisation.hunters", 2)
    runs.append(weakref.ref(workshop.current.model))
    workshop.reset()
    runs.append(weakref.ref(workshop.current.model))
    workshop.freeze_baseline()
    workshop.commit("a round")
    del workshop
    gc.collect()
    assert [run() for run in runs] == [None] * len(runs)
