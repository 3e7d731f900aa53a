"""The models this subgraph trains itself (scikit-learn), their features, and their saved artefacts."""
