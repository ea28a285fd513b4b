"""Counting a large ranked poll: 10,000 ballots over 25 options, s3cop beside pref_voting.

    .venv/bin/python bench/bench_poll_count.py

The ballots are the same for both, made once with a fixed seed: each voter ranks between 1 and 25
options (truncated rankings), drawn from a few popular orders with noise so that several rounds
of instant runoff are needed. Timed in the same run, alternating, 3 times each:

* s3cop: ``cogs.polls._count.count("ranked", ...)`` from the list of ballots to the result with
  every round's table, as the bot counts at close;
* pref_voting (the independent implementation the tests compare with):
  ``instant_runoff_for_truncated_linear_orders`` on a ``ProfileWithTies`` built beforehand (its
  build is not timed, which favours it).

Both must name the same winner. Target: s3cop's median no slower than pref_voting's.
"""

from __future__ import annotations

import random
import time

from _harness import median, table, verdict
from pref_voting.iterative_methods import instant_runoff_for_truncated_linear_orders
from pref_voting.profiles_with_ties import ProfileWithTies

from cogs.polls._count import count

BALLOTS = 10_000
OPTIONS = 25
RUNS = 3  # pref_voting takes about 10 s a run here
SEED = 2026


def make_ballots() -> list[tuple[int, ...]]:
    rng = random.Random(SEED)
    base = list(range(OPTIONS))
    popular = [rng.sample(base, OPTIONS) for _ in range(6)]
    ballots = []
    for _ in range(BALLOTS):
        order = list(rng.choice(popular))
        for _swap in range(rng.randint(0, 8)):  # noise: neighbouring options swapped
            i = rng.randrange(OPTIONS - 1)
            order[i], order[i + 1] = order[i + 1], order[i]
        length = min(OPTIONS, max(1, int(rng.expovariate(1 / 6)) + 1))
        ballots.append(tuple(order[:length]))
    return ballots


def main() -> int:
    ballots = make_ballots()
    profile = ProfileWithTies(
        [{c: rank + 1 for rank, c in enumerate(b)} for b in ballots],
        candidates=list(range(OPTIONS)),
    )
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = count("ranked", OPTIONS, ballots, electorate=BALLOTS)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        reference = instant_runoff_for_truncated_linear_orders(profile)
        theirs.append(time.perf_counter() - start)
    rounds = len(result.counts[0].rounds)
    same = list(result.elected or result.tied) == reference
    print(
        f"Counting {BALLOTS:,} ranked ballots over {OPTIONS} options "
        f"({rounds} rounds of instant runoff), {RUNS} alternating runs\n"
    )
    print(
        table(
            ["counter", "median ms", "best ms", "worst ms"],
            [
                (
                    "s3cop",
                    f"{median(ours) * 1000:.1f}",
                    f"{min(ours) * 1000:.1f}",
                    f"{max(ours) * 1000:.1f}",
                ),
                (
                    "pref_voting",
                    f"{median(theirs) * 1000:.1f}",
                    f"{min(theirs) * 1000:.1f}",
                    f"{max(theirs) * 1000:.1f}",
                ),
            ],
        )
    )
    ratio = median(ours) / median(theirs)
    print(f"\ns3cop / pref_voting (medians): {ratio:.4f}x; winner {result.elected}\n")
    return verdict(
        [
            (f"the same winner as pref_voting ({reference})", same),
            (f"no slower than pref_voting ({ratio:.4f}x)", ratio <= 1.0),
        ]
    )


if __name__ == "__main__":
    raise SystemExit(main())
