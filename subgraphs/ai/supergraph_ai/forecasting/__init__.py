"""Price forecasting: an ensemble of gradient boosting and a neural network over windows of log returns."""
