"""Measures the language models on the labelled samples shipped beside this module.

    python -m supergraph_ai.language.evaluate detection [--high-accuracy]
    python -m supergraph_ai.language.evaluate translation [--provider local|openai|anthropic]

`detection`: accuracy of detectLanguage's model on samples/detection.tsv (overall, on the short texts of
1-4 words, and per language). `translation`: chrF and BLEU (sacrebleu) of one provider alone, no fallback,
on samples/parallel.tsv, overall and per target language; the hosted providers read their keys and
endpoints from the environment as the server does (see config.py).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import defaultdict
from dataclasses import replace

from ..cache import InMemoryCache
from ..config import LlmProviderName, Settings
from ..inference.llm.factory import create_provider
from ..inference.llm.fallback import ProviderFallback
from ..metrics import Metrics
from .detector import LanguageDetector
from .languages import parse_language
from .samples import SHORT_WORDS, measure_detection, read_samples
from .translator import Translator


def detection(high_accuracy: bool) -> None:
    detector = LanguageDetector(high_accuracy=high_accuracy)
    report = measure_detection(detector)
    every = [hit for values in report.hits.values() for hit in values]
    print(f"{detector.model_id}: accuracy {report.accuracy:.4f} ({sum(every)}/{len(every)})")
    print(f"  texts of 1-{SHORT_WORDS} words: {report.short_accuracy:.4f} ({sum(report.short)}/{len(report.short)})")
    print("  per language: " + ", ".join(f"{code} {sum(v)}/{len(v)}" for code, v in sorted(report.hits.items())))
    print("  misses:", *report.misses, sep="\n")


async def translation(provider_name: LlmProviderName) -> None:
    import sacrebleu  # a test tool (pyproject's `test` extra), not a dependency of the server

    settings = replace(Settings.from_env(), llm_provider=provider_name)
    provider = create_provider(settings)
    metrics = Metrics()
    alone = ProviderFallback(provider, None, metrics, owns_local=False)  # each provider measured by itself
    translator = Translator(alone, metrics, deadline_seconds=120, cache=InMemoryCache())
    english = parse_language("en", "from")
    by_target: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    started = time.perf_counter()
    try:
        for source, target, reference in read_samples("parallel.tsv"):
            result = await translator.translate(source, english, parse_language(target, "to"))
            by_target[target][0].append(result.text)
            by_target[target][1].append(reference)
    finally:
        await provider.aclose()
    seconds = time.perf_counter() - started
    every = ([h for hs, _ in by_target.values() for h in hs], [r for _, rs in by_target.values() for r in rs])
    print(f"{provider.name}/{provider.model}: {len(every[0])} sentences in {seconds:.1f} s")
    for label, (hypotheses, references) in [("all", every), *sorted(by_target.items())]:
        chrf = sacrebleu.corpus_chrf(hypotheses, [references]).score
        bleu = sacrebleu.corpus_bleu(hypotheses, [references]).score
        print(f"  en->{label:<4} chrF {chrf:5.1f}  BLEU {bleu:5.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=("detection", "translation"))
    parser.add_argument("--high-accuracy", action="store_true", help="detection: lingua's high-accuracy mode")
    parser.add_argument("--provider", default="local", choices=[p.value for p in LlmProviderName])
    args = parser.parse_args(argv)
    if args.task == "detection":
        detection(args.high_accuracy)
    else:
        asyncio.run(translation(LlmProviderName(args.provider)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
