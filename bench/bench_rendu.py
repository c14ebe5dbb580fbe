"""Benchmark of the deliverable rendering: ``orleans-gov rapports`` against the naive sequence.

Naive sequence = what one would type by hand, one deliverable after the other:
``papermill NB OUT.ipynb -k python3 [-p entite X]`` then ``jupyter nbconvert --to html --no-input OUT.ipynb``.
Both render the same set (analysis notebooks ``notebooks/0*.ipynb`` + 23 fiches) on the same data, in the same
run, alternating which goes first. The scenario projection cache of the fiches (``$TMPDIR/orleans_gov_cache``) is
emptied before every timed run so that each method pays it once.

Also measured: the per-notebook floor (a notebook that only runs ``import orleans_gov, pandas, matplotlib``) —
naive (two CLI calls), pipeline with warm forked kernels, pipeline with ordinary kernels.

Incremental rendering (``--incremental``, issue 16), on a copy of the data folder: one full rendering (warm-up,
timed), then ``--repetitions`` reruns with nothing changed (target < 5 s), then ``--repetitions`` runs after a
change of one commune's rows (Orléans, ``police_municipale``: the table the fiche reads for its entity only), and
as many reruns of the whole recipe of ``make reports`` with nothing changed (``orleans-gov donnees``, which skips an
up-to-date processed folder, then ``orleans-gov rapports``), each
with its wall time, CPU time of the CLI and all its descendants, the deliverables rendered (from the manifest) and
the 1-minute load average before and after.

Usage: ``.venv/bin/python bench/bench_rendu.py [--repetitions 3] [--jobs 2] [--sortie bench/resultats_rendu.json]``
``.venv/bin/python bench/bench_rendu.py --incremental [--sortie bench/_work/resultats_rendu_incremental.json]``
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(RACINE / "src"))

import orleans_gov.rendu as rendu  # noqa: E402


def vider_cache() -> None:
    shutil.rmtree(Path(tempfile.gettempdir()) / "orleans_gov_cache", ignore_errors=True)


def pipeline(sortie: Path, jobs: int, extra: list[str] | None = None) -> tuple[float, int]:
    vider_cache()
    t = time.perf_counter()
    r = subprocess.run([str(BIN / "orleans-gov"), "rapports", "--jobs", str(jobs), "--sortie", str(sortie),
                        "--sans-barre", *(extra or [])], cwd=RACINE, capture_output=True, text=True)
    return time.perf_counter() - t, r.returncode


def naif(taches: list[rendu.Tache], sortie: Path) -> tuple[float, int]:
    vider_cache()
    sortie.mkdir(parents=True, exist_ok=True)
    echecs = 0
    t = time.perf_counter()
    for tache in taches:
        out = sortie / f"{tache.nom}.ipynb"
        cmd = [str(BIN / "papermill"), tache.notebook, str(out), "-k", "python3", "--cwd",
               str(Path(tache.notebook).parent), "--no-progress-bar"]
        for k, v in tache.parametres.items():
            cmd += ["-p", k, str(v)]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            echecs += 1
            continue
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)],
                       capture_output=True, text=True, check=True)
    return time.perf_counter() - t, echecs


def carnet_plancher(dossier: Path, n: int) -> Path:
    import nbformat

    dossier.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        nb = nbformat.v4.new_notebook()
        p = nbformat.v4.new_code_cell("x = 1")
        p.metadata["tags"] = ["parameters"]
        nb.cells = [nbformat.v4.new_markdown_cell("# Plancher"), p,
                    nbformat.v4.new_code_cell("import orleans_gov, pandas, matplotlib")]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, dossier / f"0{i}_plancher.ipynb" if i < 10 else dossier / f"0x{i}_plancher.ipynb")
    return dossier


def plancher(tmp: Path, jobs: int) -> dict:
    """Per-notebook floor: naive (2 CLI calls) and in the pipeline (steady state, jobs=1, and throughput)."""
    d = carnet_plancher(tmp / "plancher_nb", 8)
    nb = sorted(d.glob("*.ipynb"))[0]
    naif_s = []
    for i in range(3):
        t = time.perf_counter()
        subprocess.run([str(BIN / "papermill"), str(nb), str(tmp / f"p{i}.ipynb"), "-k", "python3",
                        "--no-progress-bar"], capture_output=True, check=True)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(tmp / f"p{i}.ipynb")],
                       capture_output=True, check=True)
        naif_s.append(time.perf_counter() - t)
    res = {"naif_s": naif_s, "naif_median_s": statistics.median(naif_s)}
    taches = rendu.lister_taches(d)
    for cle, chauds in (("chauds", True), ("standard", False)):
        _dossier, r1 = rendu.rendre(taches, sortie=tmp / f"pl_{cle}_1", jobs=1, barre=False, noyaux_chauds=chauds)
        durees = [r.duree_s for r in r1[1:]]  # the first one includes the worker / fork-server start
        t = time.perf_counter()
        rendu.rendre(taches, sortie=tmp / f"pl_{cle}_n", jobs=jobs, barre=False, noyaux_chauds=chauds)
        mur = time.perf_counter() - t
        res[f"pipeline_{cle}_par_carnet_median_s"] = statistics.median(durees)
        res[f"pipeline_{cle}_debit_s_par_carnet"] = mur / len(taches)
    return res


def _cpu_enfants() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _run_incremental(cmd: list[str], sortie: Path) -> dict:
    charge = os.getloadavg()[0]
    cpu, t = _cpu_enfants(), time.perf_counter()
    r = subprocess.run(cmd, cwd=RACINE, capture_output=True, text=True)
    mur, cpu = time.perf_counter() - t, _cpu_enfants() - cpu
    manifeste = json.loads(((sortie / "latest").resolve() / "manifest.json").read_text(encoding="utf-8"))
    rendus = [li["nom"] for li in manifeste["livrables"] if not li.get("reutilise_de")]
    return {"mur_s": round(mur, 3), "cpu_s": round(cpu, 3), "code_sortie": r.returncode, "rendus": rendus,
            "n_reutilises": len(manifeste["livrables"]) - len(rendus), "charge_1min_avant": charge,
            "charge_1min_apres": os.getloadavg()[0]}


def incremental(tmp: Path, jobs: int, repetitions: int) -> dict:
    """Rerun with nothing changed, then one commune's rows changed (see the module docstring)."""
    import pandas as pd

    from orleans_gov.base.fichiers import ecrire_parquet

    donnees = tmp / "data"
    shutil.copytree(RACINE / "data", donnees, ignore=shutil.ignore_patterns(".*"))
    sortie = tmp / "reports_incremental"
    cmd = [str(BIN / "orleans-gov"), "rapports", "--jobs", str(jobs), "--sortie", str(sortie), "--dossier-donnees",
           str(donnees), "--sans-barre"]
    # the recipe of `make reports` (Makefile): `orleans-gov donnees` (skips an up-to-date processed folder), then
    # `orleans-gov rapports`; the copy above left out the hidden state file, so the first `donnees` rebuilds
    cmd_donnees = [str(BIN / "orleans-gov"), "donnees", "--dossier-donnees", str(donnees), "--sans-barre"]
    cmd_make = ["bash", "-c", " ".join(cmd_donnees) + " >/dev/null && " + " ".join(cmd)]
    subprocess.run(cmd_donnees, cwd=RACINE, capture_output=True, check=True)
    res: dict = {"complet": _run_incremental(cmd, sortie), "rien_ne_change": [], "rien_ne_change_make": [],
                 "une_commune": []}
    print(f"  rendu complet : {res['complet']['mur_s']:.1f} s", flush=True)
    for _ in range(repetitions):
        res["rien_ne_change"].append(_run_incremental(cmd, sortie))
        print(f"  rien ne change : {res['rien_ne_change'][-1]['mur_s']:.2f} s", flush=True)
        res["rien_ne_change_make"].append(_run_incremental(cmd_make, sortie))
        print(f"  rien ne change, donnees + rapports (make reports) : {res['rien_ne_change_make'][-1]['mur_s']:.2f} s",
              flush=True)
    police = donnees / "processed" / "police_municipale.parquet"
    for i in range(repetitions):
        df = pd.read_parquet(police)
        ligne = (df["entite"] == "45234") & (df["an"] == df.loc[df["entite"] == "45234", "an"].max())
        df.loc[ligne, "asvp"] = df.loc[ligne, "asvp"] + 1
        ecrire_parquet(df, police)
        res["une_commune"].append(_run_incremental(cmd, sortie))
        print(f"  une commune : {res['une_commune'][-1]['mur_s']:.1f} s, rendus {res['une_commune'][-1]['rendus']}",
              flush=True)
    for cle in ("rien_ne_change", "rien_ne_change_make", "une_commune"):
        res[f"{cle}_median_s"] = statistics.median(r["mur_s"] for r in res[cle])
        res[f"{cle}_cpu_median_s"] = statistics.median(r["cpu_s"] for r in res[cle])
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repetitions", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--sortie", default=None,
                    help="JSON des résultats (défaut : bench/resultats_rendu.json, "
                         "bench/_work/resultats_rendu_incremental.json avec --incremental)")
    ap.add_argument("--sans-naif", action="store_true", help="pipeline only (quick check)")
    ap.add_argument("--incremental", action="store_true", help="rendu incrémental seulement (issue 16)")
    args = ap.parse_args()
    if args.incremental:
        tmp = Path(tempfile.mkdtemp(prefix="bench_rendu_inc_"))
        res = {"machine": {"cpu": os.cpu_count(), "python": platform.python_version()}, "jobs": args.jobs,
               **incremental(tmp, args.jobs, args.repetitions)}
        sortie = Path(args.sortie or RACINE / "bench" / "_work" / "resultats_rendu_incremental.json")
        sortie.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(json.dumps({k: v for k, v in res.items() if k.endswith("_s")}, indent=2))
        shutil.rmtree(tmp, ignore_errors=True)
        return 0
    args.sortie = args.sortie or str(RACINE / "bench" / "resultats_rendu.json")

    taches = rendu.lister_taches(RACINE / "notebooks")
    tmp = Path(tempfile.mkdtemp(prefix="bench_rendu_"))
    resultats: dict = {"machine": {"cpu": os.cpu_count(), "python": platform.python_version(),
                                   "charge_1min_debut": os.getloadavg()[0]},
                       "livrables": [t.nom for t in taches], "jobs": args.jobs, "runs": []}
    print(f"{len(taches)} livrables ; {args.repetitions} répétition(s) ; jobs = {args.jobs}", flush=True)
    for i in range(args.repetitions):
        ordre = ["pipeline", "naif"] if i % 2 == 0 else ["naif", "pipeline"]
        run = {"ordre": ordre}
        for m in ordre:
            if m == "pipeline":
                s, code = pipeline(tmp / f"pipeline_{i}", args.jobs)
                run["pipeline_s"], run["pipeline_code_sortie"] = s, code
            elif not args.sans_naif:
                s, echecs = naif(taches, tmp / f"naif_{i}")
                run["naif_s"], run["naif_echecs"] = s, echecs
            run[f"charge_apres_{m}"] = os.getloadavg()[0]
            print(f"  run {i + 1} {m}: {run.get(m + '_s', float('nan')):.1f} s", flush=True)
        resultats["runs"].append(run)
    print("plancher…", flush=True)
    resultats["plancher"] = plancher(tmp, args.jobs)
    p = [r["pipeline_s"] for r in resultats["runs"]]
    resultats["pipeline_median_s"] = statistics.median(p)
    if not args.sans_naif:
        n = [r["naif_s"] for r in resultats["runs"]]
        resultats["naif_median_s"] = statistics.median(n)
        resultats["acceleration_mediane"] = statistics.median(n) / statistics.median(p)
    resultats["machine"]["charge_1min_fin"] = os.getloadavg()[0]
    Path(args.sortie).write_text(json.dumps(resultats, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in resultats.items() if k not in ("livrables",)}, indent=2, ensure_ascii=False))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
