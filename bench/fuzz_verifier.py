"""Verifier fuzz corpus: a fixed, seeded set of malformed and mutated presentations, checked in
process and through `jigap verify` as child processes; counts crashes and anything accepted.

    python bench/fuzz_verifier.py [--quick] [--seed N]

In process: mutations of valid EdDSA and ES256 presentations (characters replaced, inserted,
deleted; segments dropped, doubled, swapped; non-canonical base64url tails; whitespace around
the text; QR payloads changed or extended) and presentations signed with odd claims. A crash is
an exception escaping `verify_presentation`, a verdict from its last line of defence, or a
verdict that cannot be written as UTF-8 JSON; on the command line, a traceback, no JSON verdict
or an exit status other than 0 and 1. `verifier_fuzz_same_bytes_mutations` counts the mutations
that leave every signed byte as it was (a second spelling of the same presentation): they are
refused like the rest. The last lines are the figures, `name value`.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path: put the project root there instead.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from tests.wallet.forge import Forge  # noqa: E402
from tests.wallet.mutations import (  # noqa: E402
    cli_presentation,
    crash_of,
    odd_cases,
    random_mutation,
    run_jigap_verify,
    trust_list_for,
    verify,
)
from wallet.qr_payload import encode_qr_payload  # noqa: E402

SAME_BYTES_KINDS = frozenset({"non_canonical_tail", "whitespace", "qr_append"})


def in_process(rng: random.Random, mutations_per_key: int) -> Counter[str]:
    figures: Counter[str] = Counter()
    failures: list[str] = []
    for alg in ("EdDSA", "ES256"):
        forge = Forge.fresh(alg)
        shown = forge.present(forge.credential())
        assert verify(shown, forge).valid and verify(encode_qr_payload(shown), forge).valid
        cases = [(m.kind, m.apply(shown)) for m in (random_mutation(rng) for _ in range(mutations_per_key))]
        if alg == "EdDSA":
            cases += [(name, case(forge)) for name, case in odd_cases().items()]
        for kind, text in cases:
            figures["cases"] += 1
            figures["same_bytes"] += kind in SAME_BYTES_KINDS
            crash = crash_of(text, forge)
            if crash is not None:
                figures["crashes"] += 1
                failures.append(f"crash ({kind}): {crash}")
            elif verify(text, forge).valid:
                figures["accepted"] += 1
                failures.append(f"accepted ({kind}): {text[:60]}...")
    for line in failures[:10]:
        print(f"  {line}", file=sys.stderr)
    return figures


def on_the_command_line(rng: random.Random, runs: int) -> Counter[str]:
    forge = Forge.fresh()
    shown = forge.present(forge.credential())
    odd = list(odd_cases().items())
    texts = [shown]  # the one valid run: proves the command line accepts what it should
    for i in range(runs - 1):
        if i % 4 == 3:
            texts.append(odd[rng.randrange(len(odd))][1](forge))
        else:
            texts.append(cli_presentation(random_mutation(rng), shown))
    figures: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as folder:
        trust_list = Path(folder) / "trusted.json"
        trust_list.write_text(json.dumps(trust_list_for(forge)), encoding="utf-8")
        with ThreadPoolExecutor(max_workers=2) as pool:
            runs_done = list(pool.map(lambda text: run_jigap_verify(text, trust_list), texts))
    valid_run, *mutated_runs = runs_done
    assert valid_run.code == 0, valid_run.stderr
    figures["cases"] = len(runs_done)
    for run in runs_done:
        crash = run.crash()
        if crash is not None:
            figures["crashes"] += 1
            print(f"  cli crash: {crash}", file=sys.stderr)
    figures["accepted"] = sum(run.code == 0 for run in mutated_runs)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer command-line runs (well under a minute)")
    parser.add_argument("--seed", type=int, default=20261202, help="the corpus seed (default: the fixed one)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.perf_counter()
    inside = in_process(rng, mutations_per_key=530)
    inside_s = time.perf_counter() - started
    started = time.perf_counter()
    outside = on_the_command_line(rng, runs=30 if args.quick else 60)
    outside_s = time.perf_counter() - started
    print(f"verifier_fuzz_seconds {inside_s:.1f}")
    print(f"verify_cli_seconds {outside_s:.1f}")
    print(f"verifier_fuzz_cases {inside['cases']}")
    print(f"verifier_fuzz_crashes {inside['crashes']}")
    print(f"verifier_fuzz_accepted_mutations {inside['accepted']}")
    print(f"verifier_fuzz_same_bytes_mutations {inside['same_bytes']}")
    print(f"verify_cli_cases {outside['cases']}")
    print(f"verify_cli_crashes {outside['crashes']}")
    print(f"verify_cli_accepted_mutations {outside['accepted']}")


if __name__ == "__main__":
    main()
