"""Interactive latency (issue 16, point 3): what a user waits for at the prompt and in a notebook.

Every figure is measured on this branch (« actuelle ») and on a baseline version of ``src/`` (« base »,
``--base``, default ``main``; extracted with ``git archive`` into bench/_work/precedente/<rev>, run with
``PYTHONPATH`` in front of the editable install), in the same run, round-robin (each round runs every method of
both versions once, so that the load of the shared machine hits them alike). Medians of ``--repetitions`` runs;
wall time measured by the parent, CPU time (user + sys, the process and its children) by ``/usr/bin/time``;
the 1-minute load average before each round is recorded. Both versions read the same processed tables
(``$ORLEANS_GOV_DATA`` or data/ of this worktree, built first when missing).

Measures (each in a fresh process):

- ``import`` — ``import orleans_gov``;
- ``aide`` — ``orleans-gov --help`` and each sub-command's ``--help`` (through ``python -c`` calling
  ``orleans_gov.cli.main``, the entry point of the console script, identical for both versions);
- ``chargement`` — every processed table the analysis notebooks read (01, 02, 10: all but ``populations`` and
  ``ofgl_agglo``) with ``charger``, the import of ``charger`` included; timed inside the process too (``interne``:
  from before ``from orleans_gov.construction import charger`` to the last table), beside the floor
  ``import pandas, pyarrow.parquet`` + ``pyarrow.parquet.read_table(...).to_pandas()`` of the same files
  (``plancher``); the modules imported are listed;
- ``carnets`` — each notebook (01, 02, 03, 04, 10) executed cold by ``papermill`` (its own CLI process, a new kernel,
  default parameters), with the per-cell durations papermill writes in the output notebook (median by cell);
  ``--caches``: with the projection caches a first rendering leaves (« chauds »: the fiches' $TMPDIR cache, the
  Monte-Carlo and projection caches of data/processed/.cache_scenarios), with none (« vides »: a new $TMPDIR per run and
  ``ORLEANS_GOV_CACHE_SCENARIOS=0``), or both (default);
- ``noyau`` (``--methodes``) — the same notebook as JupyterLab's « Redémarrer le noyau et tout exécuter » runs it:
  a process that has already imported nbformat/nbclient (the Jupyter server has) starts a new kernel and executes
  every cell; ``interne`` = from the kernel start to the last cell done (kernel shutdown excluded), CPU = that of
  the kernel (its ``RUSAGE_CHILDREN``). What differs from the ``papermill`` measure is papermill's own process
  (≈ 1,7 s of imports, 1,2 s of them ``rfc3987_syntax`` building a lark grammar when jsonschema is imported by
  nbformat) and its notebook writing;
- ``rapports`` (``--methodes``) — the deliverable alone as a consultant refreshes it: ``orleans-gov rapports
  --notebooks NB --tout --jobs 1`` (worker, warm fork server, execution, HTML export and Excel annex, manifest).
  Its CPU column leaves out the kernel: the kernel is forked by the fork server, not a child the CLI waits for.

Raw numbers: bench/resultats_latence.json. Usage::

    .venv/bin/python bench/bench_latence.py                       # 3 repetitions, notebooks included
    .venv/bin/python bench/bench_latence.py --sans-carnets -r 1   # smoke
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parents[1]
TRAVAIL = RACINE / "bench" / "_work"
PY = sys.executable
PAPERMILL = str(Path(sys.executable).with_name("papermill"))
CARNETS = ("01_diagnostic_politiques_publiques", "02_comparaison_organisations", "03_scenarios_financiers",
           "04_comparaison_scenarios", "10_fiche_commune")
TABLES_CARNETS = ("finances_communes", "finances_agglo", "flux_agglo_communes", "depenses_fonction", "territoire",
                  "perimetre", "moyennes_strates", "competences", "effectifs", "effectifs_totaux",
                  "fonctions_support", "competences_exercees", "police_municipale")
AIDES = ([], ["echantillon"], ["donnees"], ["collecte"], ["collecte", "generer"], ["scenario"], ["rapports"],
         ["telecharger"], ["extraire"], ["extraire", "comptes"], ["extraire", "balances"])
LOURDS = ("pandas", "numpy", "pyarrow", "openpyxl", "matplotlib", "geopandas", "shapely", "duckdb", "pydantic",
          "yaml", "scipy", "orleans_gov.construction.tables", "orleans_gov.echantillon")

CLI = "import sys; from orleans_gov.cli import main; sys.exit(main(sys.argv[1:]))"
NOYAU = """
import json, resource, sys, time
import nbformat
from nbclient import NotebookClient
entree, sortie, dossier = sys.argv[1:4]
nb = nbformat.read(entree, as_version=4)
avant = resource.getrusage(resource.RUSAGE_CHILDREN)
t = time.perf_counter()
client = NotebookClient(nb, kernel_name="orleans_gov", timeout=600, resources={"metadata": {"path": dossier}})
with client.setup_kernel():
    for i, cellule in enumerate(nb.cells):
        t0 = time.perf_counter()
        client.execute_cell(cellule, i)
        cellule.metadata["papermill"] = {"duration": time.perf_counter() - t0}
    interne = time.perf_counter() - t
apres = resource.getrusage(resource.RUSAGE_CHILDREN)
nbformat.write(nb, sortie)
print(json.dumps({"interne": interne, "cpu_noyau": (apres.ru_utime - avant.ru_utime) + (apres.ru_stime - avant.ru_stime)}))
"""
CHARGEMENT = f"""
import json, sys, time
t = time.perf_counter()
from orleans_gov.construction import charger
frames = [charger(n) for n in {TABLES_CARNETS!r}]
interne = time.perf_counter() - t
print(json.dumps({{"interne": interne, "lignes": sum(len(f) for f in frames),
                  "modules": [m for m in {LOURDS!r} if m in sys.modules], "fichier": __import__("orleans_gov").__file__}}))
"""
PLANCHER = f"""
import json, sys, time
t = time.perf_counter()
import pandas, pyarrow.parquet as pq, geopandas
from orleans_gov.base.catalogue import Catalogue
cat = Catalogue.depuis(None)
frames = [geopandas.read_parquet(cat.table(n)) if n == "perimetre" else pq.read_table(cat.table(n)).to_pandas()
          for n in {TABLES_CARNETS!r}]
print(json.dumps({{"interne": time.perf_counter() - t, "lignes": sum(len(f) for f in frames), "modules": []}}))
"""


def mesurer(commande: list[str], env: dict, capture: bool = False) -> dict:
    """Run ``commande`` in a fresh process under ``/usr/bin/time``: wall s (parent), CPU s (user + sys), stdout."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "@@CPU %U %S"] + commande, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, env=env, cwd=RACINE)
    mur = time.perf_counter() - t0
    if p.returncode not in (0, 2) or "@@CPU" not in p.stderr:
        raise RuntimeError(f"{' '.join(commande)} a échoué ({p.returncode}) : {p.stderr[-3000:]}")
    _, u, s = [l for l in p.stderr.splitlines() if l.startswith("@@CPU ")][-1].split()
    r = {"mur": mur, "cpu": float(u) + float(s)}
    if capture:
        r["sortie"] = p.stdout
    return r


def version_base(rev: str) -> Path:
    """The ``src/``, ``notebooks/`` and ``config/`` trees of commit ``rev`` (git archive) in
    bench/_work/precedente/<sha> (the package finds its shipped scenarios in config/ beside src/)."""
    sha = subprocess.run(["git", "-C", str(RACINE), "rev-parse", "--short", rev], check=True, capture_output=True,
                         text=True).stdout.strip()
    dest = TRAVAIL / "precedente" / sha
    if not (dest / "config" / "scenarios").exists():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(RACINE), "archive", sha, "src", "notebooks", "config"], check=True,
                                 capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


def environnements(base: Path, donnees: Path) -> dict[str, tuple[dict, Path]]:
    """Per version: its environment (PYTHONPATH of its src/, the same data) and its notebooks folder."""
    commun = {**os.environ, "ORLEANS_GOV_DATA": str(donnees), "PYTHONDONTWRITEBYTECODE": "0"}
    commun.pop("PYTHONPATH", None)
    return {"actuelle": ({**commun, "PYTHONPATH": str(RACINE / "src")}, RACINE / "notebooks"),
            "base": ({**commun, "PYTHONPATH": str(base / "src")}, base / "notebooks")}


def durees_cellules(chemin: Path) -> list[tuple[int, float, str]]:
    """(index, seconds, first line) of every code cell of an executed notebook (papermill metadata)."""
    nb = json.loads(chemin.read_text(encoding="utf-8"))
    out = []
    for i, c in enumerate(x for x in nb["cells"] if x["cell_type"] == "code"):
        d = c.get("metadata", {}).get("papermill", {}).get("duration")
        premiere = next((l for l in "".join(c["source"]).splitlines() if l.strip() and not l.startswith("#")), "")
        out.append((i, float(d) if d is not None else float("nan"), premiere[:70]))
    return out


def main() -> int:
    a = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    a.add_argument("--base", default="main", help="révision de référence (défaut : main)")
    a.add_argument("--repetitions", "-r", type=int, default=3)
    a.add_argument("--sans-carnets", action="store_true")
    a.add_argument("--carnets", nargs="+", default=list(CARNETS))
    a.add_argument("--json", default=str(RACINE / "bench" / "resultats_latence.json"))
    a.add_argument("--caches", choices=("chauds", "vides", "les-deux"), default="les-deux",
                   help="carnets avec les caches de projection tels qu'un premier rendu les laisse (« chauds » : "
                        "$TMPDIR/orleans_gov_cache des fiches, caches Monte-Carlo et projections de "
                        "data/processed/.cache_scenarios), sans aucun "
                        "(« vides » : $TMPDIR neuf à chaque exécution, ORLEANS_GOV_CACHE_SCENARIOS=0), ou les deux")
    a.add_argument("--methodes", nargs="+", choices=("papermill", "noyau", "rapports"), default=["papermill", "noyau"],
                   help="carnets exécutés par le CLI papermill (processus neuf), et/ou par un noyau neuf lancé d'un "
                        "processus qui a déjà importé nbclient, comme JupyterLab (défaut : les deux) ; « rapports » : "
                        "le livrable seul rendu par « orleans-gov rapports --notebooks NB --tout » (HTML et annexe compris)")
    args = a.parse_args()
    donnees = Path(os.environ.get("ORLEANS_GOV_DATA", RACINE / "data"))
    if not (donnees / "processed" / "finances_communes.parquet").exists():
        subprocess.run([PY, "-c", CLI, "donnees", "--dossier-donnees", str(donnees)], check=True, cwd=RACINE,
                       env={**os.environ, "PYTHONPATH": str(RACINE / "src")})
    base = version_base(args.base)
    envs = environnements(base, donnees)
    sortie_nb = TRAVAIL / "latence"
    sortie_nb.mkdir(parents=True, exist_ok=True)
    mesures: dict[str, dict[str, list]] = {}
    charges, details = [], {}

    def noter(cle: str, version: str, r: dict) -> None:
        mesures.setdefault(cle, {}).setdefault(version, []).append(r)

    if not args.sans_carnets and args.caches != "vides":   # warm-up: the caches a first rendering leaves behind
        for version, (env, carnets) in envs.items():
            for nb in args.carnets:
                mesurer([PAPERMILL, "-k", "orleans_gov", "--cwd", str(carnets), "--no-progress-bar",
                         str(carnets / f"{nb}.ipynb"), str(sortie_nb / f"{nb}-{version}-prechauffe.ipynb")], env)
        print("caches préchauffés", file=sys.stderr)
    for tour in range(args.repetitions):
        charges.append(os.getloadavg())
        for version, (env, carnets) in envs.items():
            noter("import", version, mesurer([PY, "-c", "import orleans_gov"], env))
            for aide in AIDES:
                noter("aide " + " ".join(aide or ["(racine)"]), version, mesurer([PY, "-c", CLI, *aide, "--help"], env))
            r = mesurer([PY, "-c", CHARGEMENT], env, capture=True)
            info = json.loads(r.pop("sortie").strip().splitlines()[-1])
            r["interne"] = info["interne"]
            details[f"chargement {version}"] = info
            noter("chargement", version, r)
            if version == "actuelle":
                r = mesurer([PY, "-c", PLANCHER], env, capture=True)
                r["interne"] = json.loads(r.pop("sortie").strip().splitlines()[-1])["interne"]
                noter("chargement (plancher pandas+pyarrow+geopandas)", version, r)
            if args.sans_carnets:
                continue
            for nb in args.carnets:
                for cache in (("chauds", "vides") if args.caches == "les-deux" else (args.caches,)):
                    for methode in args.methodes:
                        out = sortie_nb / f"{nb}-{version}-{cache}-{methode}-{tour}.ipynb"
                        env_nb = env
                        if cache == "vides":   # nothing memoised anywhere: a new temporary folder, no MC cache
                            tmp = Path(tempfile.mkdtemp(prefix="latence_", dir=TRAVAIL))
                            env_nb = {**env, "TMPDIR": str(tmp), "ORLEANS_GOV_CACHE_SCENARIOS": "0"}
                        if methode == "papermill":
                            r = mesurer([PAPERMILL, "-k", "orleans_gov", "--cwd", str(carnets), "--no-progress-bar",
                                         "--no-request-save-on-cell-execute",
                                         str(carnets / f"{nb}.ipynb"), str(out)], env_nb)
                            cle = f"carnet {nb} (caches {cache})"
                        elif methode == "rapports":
                            sortie_r = Path(tempfile.mkdtemp(prefix="rapports_", dir=TRAVAIL))
                            r = mesurer([PY, "-c", CLI, "rapports", "--notebooks", nb, "--tout", "--sans-barre",
                                         "--jobs", "1", "--sortie", str(sortie_r), "--dossier-donnees",
                                         str(donnees)] + (["--entites", "45234"] if nb.startswith("10_") else []),
                                        env_nb)
                            shutil.copy(next((sortie_r / "latest").glob(f"{nb}*.ipynb")), out)
                            shutil.rmtree(sortie_r, ignore_errors=True)
                            cle = f"carnet {nb} (orleans-gov rapports, caches {cache})"
                        else:
                            r = mesurer([PY, "-c", NOYAU, str(carnets / f"{nb}.ipynb"), str(out), str(carnets)],
                                        env_nb, capture=True)
                            info = json.loads(r.pop("sortie").strip().splitlines()[-1])
                            r["interne"], r["cpu"] = info["interne"], info["cpu_noyau"]
                            cle = f"carnet {nb} (noyau neuf, caches {cache})"
                        if cache == "vides":
                            shutil.rmtree(env_nb["TMPDIR"], ignore_errors=True)
                        r["cellules"] = durees_cellules(out)
                        noter(cle, version, r)
        print(f"tour {tour + 1}/{args.repetitions} fini (charge {charges[-1][0]:.2f})", file=sys.stderr)
    charges.append(os.getloadavg())

    def med(v: list[dict], k: str) -> float:
        return statistics.median(x[k] for x in v)

    lignes = ["| mesure | version | mur médian (s) | CPU médian (s) | interne médian (s) | runs mur |", "|---|---|---|---|---|---|"]
    for cle, par_version in mesures.items():
        for version, v in par_version.items():
            interne = f"{med(v, 'interne'):.3f}" if "interne" in v[0] else ""
            lignes.append(f"| {cle} | {version} | {med(v, 'mur'):.3f} | {med(v, 'cpu'):.3f} | {interne} | "
                          + " · ".join(f"{x['mur']:.2f}" for x in v) + " |")
    cellules = {}
    for cle, par_version in mesures.items():
        if cle.startswith("carnet "):
            for version, v in par_version.items():
                n = len(v[0]["cellules"])
                cellules[f"{cle} {version}"] = [(i, statistics.median(x["cellules"][i][1] for x in v),
                                                 v[0]["cellules"][i][2]) for i in range(n)]
    print("\n".join(lignes))
    for cle, cs in cellules.items():
        print(f"\n{cle} : cellules les plus longues")
        for i, d, texte in sorted(cs, key=lambda c: -c[1])[:5]:
            print(f"  [{i}] {d:6.2f} s  {texte}")
    Path(args.json).write_text(json.dumps({"charges_1_5_15": charges, "details": details, "cellules": cellules,
                                           "mesures": {c: {v: [{k: x[k] for k in x if k != "cellules"} for x in l]
                                                           for v, l in pv.items()} for c, pv in mesures.items()},
                                           "base": args.base, "repetitions": args.repetitions,
                                           "coeurs": os.cpu_count()}, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"\ncharge (1/5/15 min) avant chaque tour puis à la fin : "
          + " ; ".join("/".join(f"{x:.2f}" for x in c) for c in charges))
    return 0


if __name__ == "__main__":
    sys.exit(main())
