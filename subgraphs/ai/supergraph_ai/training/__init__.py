"""Synthetic data sets (fixed seeds) and the training script for the models this subgraph owns."""
