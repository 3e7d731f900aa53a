"""Model runtimes: the sentence embedder, the micro-batcher in front of it, and the LLM providers."""
