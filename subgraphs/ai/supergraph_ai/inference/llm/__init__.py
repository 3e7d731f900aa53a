"""Text generation providers behind one interface (`LlmProvider`), chosen by LLM_PROVIDER."""
