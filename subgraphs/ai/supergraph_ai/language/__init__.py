"""Language detection (lingua, models shipped in its wheel) and translation through the LLM providers."""
