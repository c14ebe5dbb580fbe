"""Benchmark of the scenario Monte-Carlo: 10 000 draws × 23 entities (+ bloc) × horizon, vectorised numpy.

Usage (from the repository root, data/processed built):
    .venv/bin/python bench/bench_monte_carlo.py [--repetitions 7] [--tirages 10000] [--scenario FICHIER]

Prints the median (and min / max) wall time of ``monte_carlo`` (the reference state and the effects of the
actions are prepared once, outside the timing, as when several indicators are drawn), then the time of one
complete call including that preparation. Results are recorded in bench/RESULTS_scenarios.md.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

import numpy as np

from orleans_gov.scenarios import charger_donnees, charger_scenario
from orleans_gov.scenarios.sensibilite import monte_carlo, preparer

RACINE = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repetitions", type=int, default=7)
    ap.add_argument("--tirages", type=int, default=10_000)
    ap.add_argument("--scenario", default=str(RACINE / "config" / "scenarios" / "transfert-voirie.yaml"))
    args = ap.parse_args()

    donnees = charger_donnees()
    sc = charger_scenario(args.scenario)
    prep = preparer(sc, donnees)
    monte_carlo(sc, donnees, n_tirages=500, _prepare=prep)  # warm-up
    temps = []
    for _ in range(args.repetitions):
        t0 = time.perf_counter()
        mc = monte_carlo(sc, donnees, n_tirages=args.tirages, _prepare=prep)
        temps.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    monte_carlo(sc, donnees, n_tirages=args.tirages)
    complet = time.perf_counter() - t0
    n_ent = mc.quantiles["entite"].nunique()
    n_an = mc.quantiles["annee"].nunique()
    print(f"scénario : {Path(args.scenario).name} ; {args.tirages} tirages × {n_ent} entités (dont bloc) × "
          f"{n_an} années ; numpy {np.__version__} ; Python {platform.python_version()} ; {platform.machine()}")
    print(f"monte_carlo (préparation exclue), {args.repetitions} répétitions : médiane {statistics.median(temps):.3f} s "
          f"(min {min(temps):.3f} s, max {max(temps):.3f} s)")
    print(f"appel complet (préparation incluse) : {complet:.3f} s")


if __name__ == "__main__":
    main()
