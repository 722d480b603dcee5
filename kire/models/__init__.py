"""Document-level RE models: an encoding layer and a prediction layer (eq. 1 of the paper)."""
