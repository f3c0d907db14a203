"""The explainers' claims as checks with stated criteria (the tour runs them)."""
