"""Rental contract benchmark: rendering Minji's water purifier contract (three A4 pages, Korean) to PDF.

    python bench/rentals_contract.py            # three runs of 200 renders each, medians of the runs
    python bench/rentals_contract.py --quick    # one run of 30

The fonts are loaded once before timing (the renderer cuts and parses its working faces on first use, about a
second, once per process); each figure is one `ContractRenderer.pdf` call, wall time, including the signature's
input (the PDF's SHA-256). Printed last: `contract_pdf_p50_ms=` and `contract_pdf_p99_ms=` (target p50 <= 200),
and `contract_pdf_english_p50_ms=` for the English version.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.gateways.contracts import ContractFonts, ContractRenderer  # noqa: E402
from subscriptions.rentals.contract_document import ContractDocument, ContractLanguage  # noqa: E402
from tests.rentals.contract_samples import minji_contract  # noqa: E402


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def one_run(renderer: ContractRenderer, document: ContractDocument, renders: int) -> tuple[float, float]:
    times = []
    for _ in range(renders):
        started = time.perf_counter()
        hashlib.sha256(renderer.pdf(document)).hexdigest()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), p99(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one short run")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--renders", type=int, default=None, help="renders per run")
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 3)
    renders = args.renders or (30 if args.quick else 200)
    started = time.perf_counter()
    fonts = ContractFonts.from_machine()
    fonts.warm()
    print(f"fonts ready in {(time.perf_counter() - started) * 1000:.0f} ms (once per process)")
    renderer = ContractRenderer(fonts)
    korean, english = minji_contract(ContractLanguage.KO), minji_contract(ContractLanguage.EN)
    pdf = renderer.pdf(korean)
    print(f"contract: {len(pdf) / 1024:.0f} KiB, sha256 {hashlib.sha256(pdf).hexdigest()[:16]}...")
    results, english_results = [], []
    for number in range(runs):
        results.append(one_run(renderer, korean, renders))
        english_results.append(one_run(renderer, english, max(10, renders // 4)))
        print(f"run {number + 1}: {renders} renders, p50 {results[-1][0]:.1f} ms, p99 {results[-1][1]:.1f} ms; "
              f"English p50 {english_results[-1][0]:.1f} ms")
    print(f"contract_pdf_p50_ms={statistics.median(r[0] for r in results):.1f}")
    print(f"contract_pdf_p99_ms={statistics.median(r[1] for r in results):.1f}")
    print(f"contract_pdf_english_p50_ms={statistics.median(r[0] for r in english_results):.1f}")


if __name__ == "__main__":
    main()
