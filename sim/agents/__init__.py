"""The roles of the company and the market: hunters, client departments, reps, clients, rivals."""
