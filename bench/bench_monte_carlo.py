"""Benchmark of the computations of notebooks 03 and 04 (issue 16): Monte-Carlo bands, projections, sections.

Usage (from the repository root, data/processed built):
    .venv/bin/python bench/bench_monte_carlo.py [--repetitions 3] [--base main] [--tirages 10000]

Each round runs, for this branch (« actuelle ») and for a baseline version of ``src/`` (« base », ``--base``,
extracted by ``git archive`` into bench/_work/precedente/<sha> as bench/bench_latence.py does), one fresh process
that measures, wall time and CPU time (user + sys of the process) side by side:

- ``contexte`` — ``contexte_scenarios`` (every shipped scenario and its counterfactual projected; first cell);
- ``tornade`` — the two tornadoes of notebook 03;
- ``monte_carlo_carnet`` — the Monte-Carlo cell of notebook 03 (every scenario, 10 000 draws, two indicators),
  without the persistent cache (``ORLEANS_GOV_CACHE_SCENARIOS=0`` semantics: computed); then, this branch only,
  ``monte_carlo_carnet_cache`` — the same read from the cache (written just before, outside the timing);
- ``sections_03`` / ``pages_04`` — ``elements_scenario`` / ``page_scenario`` of every scenario with actions,
  figures included (Agg backend, closed), and ``figures_03`` — the figure calls of those sections alone (helper A's
  side), so that computing and drawing are told apart;
- ``mc_un_scenario`` — the former measure: ``monte_carlo`` of transfert-voirie, preparation excluded (median of 5).

Versions alternate within each round (round-robin), the 1-minute load is recorded before each round; medians over
rounds. Results are recorded in bench/RESULTS_scenarios.md; raw numbers in bench/resultats_scenarios.json.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RACINE / "bench"))

ENFANT = r"""
import json, statistics, sys, time, warnings
import matplotlib
matplotlib.use("agg")
import matplotlib.pyplot as plt
n = int(sys.argv[1])
out = {}
def mesure(nom, f):
    t, c = time.perf_counter(), time.process_time()
    r = f()
    out[nom] = {"mur": time.perf_counter() - t, "cpu": time.process_time() - c}
    return r
from orleans_gov.restitution import scenarios as rs
from orleans_gov.restitution.chargement_scenarios import contexte_scenarios
from orleans_gov.restitution.scenarios import sections
from orleans_gov.scenarios.sensibilite import monte_carlo, monte_carlo_indicateurs, preparer, tornado
ctx = mesure("contexte", lambda: contexte_scenarios(None, 2013, [2014, 2020], None))
nouveau = hasattr(ctx, "monte_carlo")
ref = ctx.reference
def tornades():
    if nouveau:
        return [ctx.tornado(m) for m in ("epargne_nette_cumulee", "capacite_desendettement_fin")]
    return [tornado(ref.scenario, ctx.donnees, mesure=m) for m in ("epargne_nette_cumulee", "capacite_desendettement_fin")]
mesure("tornade", tornades)
inds = ("epargne_nette", "capacite_desendettement")
if nouveau:
    mesure("monte_carlo_carnet", lambda: ctx.monte_carlo(inds, n_tirages=n, cache=False))
    ctx.monte_carlo(inds, n_tirages=n)                      # writes the cache if it is not there
    mesure("monte_carlo_carnet_cache", lambda: ctx.monte_carlo(inds, n_tirages=n))
else:
    mesure("monte_carlo_carnet", lambda: {k: monte_carlo_indicateurs(r.scenario, ctx.donnees, inds, n_tirages=n)
                                         for k, r in ctx.resultats.items()})
def fermer(objets):
    for o in objets:
        if hasattr(o, "savefig"):
            plt.close(o)
mesure("sections_03", lambda: [fermer(rs.elements_scenario(r, ctx.contrefactuels[r.scenario.nom], ctx.exemple))
                               for r in ctx.avec_actions])
mesure("figures_03", lambda: [fermer([f(r, ctx.contrefactuels[r.scenario.nom], ctx.exemple)
                                      for f in (sections.fig_effets_annuels, sections.fig_effets_communes)])
                              for r in ctx.avec_actions])
mesure("pages_04", lambda: [fermer(rs.page_scenario(r, ctx.contrefactuels[r.scenario.nom], ctx.exemple))
                            for r in ctx.avec_actions])
r = ctx.resultats["Transfert de la voirie"]
prep = preparer(r.scenario, ctx.donnees)
temps = []
for _ in range(5):
    t = time.perf_counter()
    monte_carlo(r.scenario, ctx.donnees, n_tirages=n, _prepare=prep)
    temps.append(time.perf_counter() - t)
out["mc_un_scenario"] = {"mur": statistics.median(temps), "cpu": float("nan")}
print(json.dumps(out))
"""


def main() -> int:
    from bench_latence import environnements, version_base

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repetitions", "-r", type=int, default=3)
    ap.add_argument("--tirages", type=int, default=10_000)
    ap.add_argument("--base", default="main")
    ap.add_argument("--json", default=str(RACINE / "bench" / "resultats_scenarios.json"))
    args = ap.parse_args()
    donnees = Path(os.environ.get("ORLEANS_GOV_DATA", RACINE / "data"))
    envs = environnements(version_base(args.base), donnees)
    mesures: dict[str, dict[str, list]] = {}
    charges = []
    for tour in range(args.repetitions):
        charges.append(os.getloadavg()[0])
        for version, (env, _carnets) in envs.items():
            p = subprocess.run([sys.executable, "-c", ENFANT, str(args.tirages)], env=env, cwd=RACINE,
                               capture_output=True, text=True)
            if p.returncode:
                print(p.stderr[-3000:], file=sys.stderr)
                return 1
            for k, v in json.loads(p.stdout.strip().splitlines()[-1]).items():
                mesures.setdefault(k, {}).setdefault(version, []).append(v)
        print(f"tour {tour + 1}/{args.repetitions} fini (charge {charges[-1]:.2f})", file=sys.stderr)
    charges.append(os.getloadavg()[0])
    print("| mesure | version | mur médian (s) | CPU médian (s) | runs mur |\n|---|---|---|---|---|")
    for k, pv in mesures.items():
        for version, v in pv.items():
            mur = statistics.median(x["mur"] for x in v)
            cpu = statistics.median(x["cpu"] for x in v)
            print(f"| {k} | {version} | {mur:.3f} | {cpu:.3f} | " + " · ".join(f"{x['mur']:.2f}" for x in v) + " |")
    print("charge (1 min) avant chaque tour puis à la fin : " + " ; ".join(f"{c:.2f}" for c in charges))
    Path(args.json).write_text(json.dumps({"charges_1min": charges, "mesures": mesures, "base": args.base,
                                           "tirages": args.tirages, "coeurs": os.cpu_count()}, indent=1),
                               encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
