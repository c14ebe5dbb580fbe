"""Benchmark of ``orleans-gov extraire comptes|balances`` against its baselines, all measured in the same run.

Files: national-scale synthetic files in the official layouts (bench/generer_nationaux.py) in ``bench/_work/``
(gitignored; generated when missing or with ``--regenerer``). Baselines: bench/references_nationaux.py.

Every measure is a fresh process under ``/usr/bin/time`` (wall time by the parent, user + sys CPU time and
peak resident memory of the process and its children), repeated ``--repetitions`` times round-robin (each
round runs every method once, so that the machine's load hits all of them alike); medians are reported, with
the load average before each round. Methods:

- ``cli``: the user's command, ``orleans-gov extraire …`` (CLI start-up included);
- ``bibliotheque``: ``extraire_comptes`` / ``extraire_balances`` called from ``python -c`` (no CLI start-up);
- ``precedente``: the same call on the previous version of the code (``--version-precedente``, extracted with
  ``git archive`` into bench/_work/precedente/): before/after in the same run, and its outputs compared
  with ours;
- ``duckdb-minimal`` (balances): the minimal DuckDB aggregate of the same file — ``read_csv`` with the same
  typed columns and reading options as ours, the same WHERE (budget principal, M14, commune or agglomeration,
  spending accounts), ``sum(OBNETDEB − OOBDEB)`` GROUP BY entity codes × year × function × section, written
  to Parquet by DuckDB: the floor of any DuckDB extraction of this file;
- ``pandas-naif``: ``read_csv`` of the whole file then filter/groupby (the baseline of issue 16);
  ``pandas-pyarrow`` (balances): the same with ``engine="pyarrow"``;
- ``plancher`` (reading the bytes in 16 MB blocks) and ``wc -l``;
- imports alone: ``import duckdb``, ``import pandas``, ``import orleans_gov.sources.nationaux`` and the CLI
  start-up (``orleans-gov extraire --help``), and ``import orleans_gov.cli.extraction`` alone (what a CLI
  importing only the sub-command asked for would pay).

Writes bench/RESULTS_extraction.md: the figures are regenerated, the hand-written section from
« ## Lecture des résultats » on is kept.

Usage::

    .venv/bin/python bench/bench_extraction.py                 # full scale, 3 repetitions
    .venv/bin/python bench/bench_extraction.py --communes 2000 --lignes-balances 200000 --repetitions 1  # smoke
"""
from __future__ import annotations

import argparse
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parents[1]
TRAVAIL = RACINE / "bench" / "_work"
RESULTATS = RACINE / "bench" / "RESULTS_extraction.md"
PRECEDENTE = "d5e85bd"
"""main at the start of the second 12-04 session (issue 16, point 2, brief N): the baseline of before/after, same run."""
MARQUE = "## Lecture des résultats"

PY = sys.executable
CLI = str(Path(sys.executable).with_name("orleans-gov"))

BIBLIOTHEQUE = {
    "comptes": "import sys; from pathlib import Path; s = Path(sys.argv[2]); s.mkdir(parents=True, exist_ok=True); "
               "from orleans_gov.sources.nationaux import extraire_comptes; "
               "extraire_comptes(sys.argv[1], s, dossier_temp=s)",
    "comptes-complet": "import sys; from pathlib import Path; s = Path(sys.argv[2]); s.mkdir(parents=True, "
                       "exist_ok=True); from orleans_gov.sources.nationaux import extraire_comptes; "
                       "extraire_comptes(sys.argv[1], s, dossier_temp=s, verifier_strates=True, populations=True)",
    "balances": "import sys; from pathlib import Path; s = Path(sys.argv[2]); s.mkdir(parents=True, exist_ok=True); "
                "from orleans_gov.sources.nationaux import extraire_balances; "
                "extraire_balances(sys.argv[1], s, dossier_temp=s)",
}
CLI_VIA_PYTHON = "import sys; from orleans_gov.cli import main; sys.exit(main(sys.argv[1:]))"


# ----------------------------------------------------------------------------------------------------
# Measurement
def mesurer(commande: list[str], env: dict | None = None) -> tuple[float, float, float]:
    """Run ``commande`` in a fresh process under ``/usr/bin/time``; return (wall s, peak RSS MB, CPU s).

    ``/usr/bin/time -f %M`` reports the maximum resident set size of its child (and of the child's own
    children: the pass processes of ``extraire comptes`` count, the largest of them); user + sys include
    those children too.
    """
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "@@RSS %M %U %S"] + commande, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, env=env)
    duree = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(commande)} a échoué : {p.stderr[-2000:]}")
    rss = [l for l in p.stderr.splitlines() if l.startswith("@@RSS ")][-1]
    _, kb, user, system = rss.split()
    return duree, int(kb) / 1024.0, float(user) + float(system)


def coeurs_disponibles() -> float:
    """Cores actually available right now: wall time of one CPU-bound process vs two at once (≈ 2 on an idle
    2-core machine, ≈ 1 when other jobs keep the other core busy)."""
    code = "sum(range(4 * 10**7))"
    t = time.perf_counter()
    subprocess.run([PY, "-c", code], check=True)
    un = time.perf_counter() - t
    t = time.perf_counter()
    ps = [subprocess.Popen([PY, "-c", code]) for _ in range(2)]
    for q in ps:
        q.wait()
    return 2 * un / (time.perf_counter() - t)


def version_precedente(rev: str) -> Path:
    """The ``src/`` tree of commit ``rev`` (git archive), extracted once into bench/_work/precedente/<rev>."""
    dest = TRAVAIL / "precedente" / rev
    if not (dest / "src" / "orleans_gov").exists():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(RACINE), "archive", rev, "src"], check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest / "src"


def methodes(comptes: Path, balances: Path, precedente: Path) -> dict[str, tuple[list[str], dict | None, Path | None]]:
    """Every measured command: name -> (command with {sortie} placeholder, environment, input file)."""
    ref = str(RACINE / "bench" / "references_nationaux.py")
    env_prec = {**os.environ, "PYTHONPATH": str(precedente)}
    m: dict[str, tuple[list[str], dict | None, Path | None]] = {}
    for nature, f in (("comptes", comptes), ("balances", balances)):
        m[f"wc-{nature}"] = (["wc", "-l", str(f)], None, f)
        m[f"plancher-{nature}"] = ([PY, ref, "plancher", str(f), "{sortie}"], None, f)
        m[f"cli-{nature}"] = ([CLI, "extraire", nature, str(f), "--sortie", "{sortie}"], None, f)
        m[f"bibliotheque-{nature}"] = ([PY, "-c", BIBLIOTHEQUE[nature], str(f), "{sortie}"], None, f)
        m[f"precedente-{nature}"] = ([PY, "-c", BIBLIOTHEQUE[nature], str(f), "{sortie}"], env_prec, f)
        m[f"cliprecedente-{nature}"] = ([PY, "-c", CLI_VIA_PYTHON, "extraire", nature, str(f), "--sortie", "{sortie}"],
                                        env_prec, f)
        m[f"pandas-{nature}"] = ([PY, ref, f"pandas-{nature}", str(f), "{sortie}"], None, f)
    m["bibliotheque-comptes-complet"] = ([PY, "-c", BIBLIOTHEQUE["comptes-complet"], str(comptes), "{sortie}"], None,
                                         comptes)
    m["precedente-comptes-complet"] = ([PY, "-c", BIBLIOTHEQUE["comptes-complet"], str(comptes), "{sortie}"],
                                       env_prec, comptes)
    for nom in ("duckdb-minimal-balances", "pandas-pyarrow-balances"):
        m[nom] = ([PY, ref, nom, str(balances), "{sortie}"], None, balances)
    m["import-duckdb"] = ([PY, "-c", "import duckdb"], None, None)
    m["import-pandas"] = ([PY, "-c", "import pandas"], None, None)
    m["import-nationaux"] = ([PY, "-c", "import orleans_gov.sources.nationaux"], None, None)
    m["import-nationaux-precedente"] = ([PY, "-c", "import orleans_gov.sources.nationaux"], env_prec, None)
    m["import-cli-extraction"] = ([PY, "-c", "import orleans_gov.cli.extraction"], None, None)
    m["demarrage-cli"] = ([CLI, "extraire", "--help"], None, None)
    return m


# ----------------------------------------------------------------------------------------------------
# Output checks
def comparer_parquet(a: Path, b: Path, noms: list[str]) -> str:
    """Same content? Exact frames (and bytes), or equal but for the last bits of the floating-point sums."""
    import hashlib

    import numpy as np
    import pandas as pd

    parts = []
    for nom in noms:
        fa, fb = a / f"{nom}.parquet", b / f"{nom}.parquet"
        x, y = pd.read_parquet(fa), pd.read_parquet(fb)
        octets = hashlib.sha256(fa.read_bytes()).digest() == hashlib.sha256(fb.read_bytes()).digest()
        try:
            pd.testing.assert_frame_equal(x, y, check_exact=True)
            parts.append(f"{nom} : identique ({len(x):,} lignes{', mêmes octets' if octets else ''})")
            continue
        except AssertionError:
            pass
        try:
            pd.testing.assert_frame_equal(x, y, check_exact=False, rtol=1e-12, atol=0)
        except AssertionError as exc:
            parts.append(f"{nom} : **DIFFÉRENT** ({str(exc).splitlines()[0][:120]})")
            continue
        flottants = [c for c in x.columns if x[c].dtype.kind == "f"]
        ecart = max(float(np.nanmax(np.abs(x[c] - y[c]) / np.maximum(np.abs(y[c]), 1e-300))) for c in flottants)
        parts.append(f"{nom} : mêmes lignes, clés et types ({len(x):,} lignes), montants égaux aux derniers bits "
                     f"des sommes flottantes près (écart relatif max {ecart:.1e})")
    return " ; ".join(parts)


def comparer_pandas(dossier: Path, dossier_pandas: Path, nature: str) -> str:
    """Sanity check against the naive pandas version (same numbers)."""
    import pandas as pd
    if nature.startswith("comptes"):
        a = pd.read_parquet(dossier / "communes_perimetre.parquet")
        b = pd.read_parquet(dossier_pandas / "communes_perimetre.parquet")
        m1 = pd.read_parquet(dossier / "moyennes_strates.parquet")
        m2 = pd.read_parquet(dossier_pandas / "moyennes_strates.parquet")
        ok = (len(a) == len(b) and abs(a["prod"].sum() - b["prod"].sum()) < 1e-6 and len(m1) == len(m2)
              and abs(m1["mprod"].sum() - m2["mprod"].sum()) < 1e-6
              and (m1["nb_communes"].to_numpy() == m2["nb_communes"].to_numpy()).all())
        texte = (f"{len(a)} lignes communes (Σ prod {a['prod'].sum():,.2f} k€), {len(m1)} strates (Σ mprod "
                 f"{m1['mprod'].sum():,.2f}, Σ nb_communes {m1['nb_communes'].sum():,})")
        return f"{'mêmes nombres' if ok else 'NOMBRES DIFFÉRENTS'} : {texte}"
    a = pd.read_parquet(dossier / "depenses_fonction_perimetre.parquet")
    b = pd.read_parquet(dossier_pandas / "depenses_fonction_perimetre.parquet")
    c1 = pd.read_parquet(dossier / "depenses_fonction_communes.parquet")
    c2 = pd.read_parquet(dossier_pandas / "depenses_fonction_communes.parquet")
    ok = (abs(a["montant"].sum() - b["montant"].sum()) < 1e-3 and len(c1) == len(c2)
          and abs(c1["montant"].sum() - c2["montant"].sum()) < 1e-2)
    return (f"{'mêmes nombres' if ok else 'NOMBRES DIFFÉRENTS'} : périmètre Σ {a['montant'].sum():,.3f} k€ "
            f"({len(a)} lignes), communes {len(c1)} lignes Σ {c1['montant'].sum():,.3f} k€")


def comparer_minimal(dossier: Path, minimal: Path) -> str:
    """The minimal aggregate sums the same lines: same total over the communes and the agglomeration."""
    import pandas as pd
    m = pd.read_parquet(minimal / "agregat.parquet")
    c = pd.read_parquet(dossier / "depenses_fonction_communes.parquet")
    p = pd.read_parquet(dossier / "depenses_fonction_perimetre.parquet")
    agglo = p.loc[p["entite"] == "244500468", "montant"].sum()
    ok = abs(m["montant"].sum() - (c["montant"].sum() + agglo)) < 1e-3
    return (f"{'même total' if ok else 'TOTAL DIFFÉRENT'} : Σ {m['montant'].sum():,.3f} k€ ({len(m):,} groupes) "
            f"contre Σ communes + agglomération {c['montant'].sum() + agglo:,.3f} k€")


# ----------------------------------------------------------------------------------------------------
# Report
def _med(v: list[tuple[float, float, float]], i: int) -> float:
    return statistics.median(x[i] for x in v)


M = "duckdb-minimal-balances"


def _rapport_par_tour(mesures: dict, num: str, den: str, i: int = 0) -> tuple[float, list[float]]:
    """Median over the rounds of num/den measured in the same round, and the per-round values."""
    r = [a[i] / b[i] for a, b in zip(mesures[num], mesures[den])]
    return statistics.median(r), r


LIBELLES = {
    "wc": "`wc -l`", "plancher": "plancher (lecture des octets, blocs de 16 Mo)",
    "cli": "**`orleans-gov extraire`** (commande complète)",
    "bibliotheque": "bibliothèque (`extraire_…` depuis `python -c`)",
    "precedente": "version précédente (bibliothèque, {rev})", "pandas": "pandas naïf (`read_csv` complet)",
    "cliprecedente": "version précédente (commande, {rev})",
    "duckdb-minimal": "agrégat DuckDB minimal (même lecture, même filtre, GROUP BY, Parquet)",
    "pandas-pyarrow": "pandas `engine=\"pyarrow\"`",
}


def ecrire_resultats(chemin: Path, mesures: dict, charges: list, coeurs: tuple[float, float], entete: list[str],
                     controles: list[str], rev: str) -> str:
    lignes = list(entete)
    def charge(c: tuple) -> str:
        return "/".join(f"{x:.1f}" for x in c)
    lignes += ["Charge de la machine (load average 1/5/15 min) avant chaque tour : "
               + " ; ".join(f"tour {k + 1} : {charge(c)}" for k, c in enumerate(charges[:-1]))
               + f" ; à la fin : {charge(charges[-1])}. Cœurs effectivement disponibles "
               f"(2 × durée d'un calcul seul ÷ durée de deux calculs simultanés) : {coeurs[0]:.2f} au début, "
               f"{coeurs[1]:.2f} à la fin. La machine (2 cœurs) est partagée : le temps CPU (user + sys, enfants "
               "compris) est donné à côté de la durée murale, et les rapports sont calculés tour par tour "
               "(méthodes mesurées à quelques secondes d'intervalle) puis leur médiane est donnée.", "",
               "| fichier | méthode | durée médiane (s) | CPU médian (s) | pic mémoire médian (Mo) |",
               "|---|---|---:|---:|---:|"]
    for nature in ("comptes", "balances"):
        for cle in [k for k in mesures if k.endswith(nature) or k.endswith(nature + "-complet")]:
            methode = cle.removesuffix("-complet").removesuffix(f"-{nature}")
            nom = LIBELLES[methode].format(rev=rev) + (" `--verifier-strates --populations`"
                                                       if cle.endswith("-complet") else "")
            v = mesures[cle]
            lignes.append(f"| {nature} | {nom} | {_med(v, 0):.2f} | {_med(v, 2):.2f} | {_med(v, 1):.0f} |")
    lignes += ["", "Temps d'import (processus neuf) :", "",
               "| import | durée médiane (s) | CPU médian (s) |", "|---|---:|---:|"]
    for cle, nom in (("import-duckdb", "`import duckdb`"), ("import-pandas", "`import pandas` (charge pyarrow)"),
                     ("import-nationaux", "`import orleans_gov.sources.nationaux`"),
                     ("import-nationaux-precedente", f"`import orleans_gov.sources.nationaux` ({rev})"),
                     ("import-cli-extraction", "`import orleans_gov.cli.extraction` (le seul sous-programme utile)"),
                     ("demarrage-cli", "démarrage de la CLI (`orleans-gov extraire --help`)")):
        lignes.append(f"| {nom} | {_med(mesures[cle], 0):.2f} | {_med(mesures[cle], 2):.2f} |")

    def r(num: str, den: str) -> str:
        textes = []
        for i, quoi in ((0, "durée"), (2, "CPU")):
            med, tours = _rapport_par_tour(mesures, num, den, i)
            textes.append(f"{quoi} {med:.2f} (tours : {', '.join(f'{x:.2f}' for x in tours)})")
        return ", ".join(textes)
    cb = _rapport_par_tour(mesures, "cli-balances", "duckdb-minimal-balances")[0]
    pc = _rapport_par_tour(mesures, "pandas-comptes", "cli-comptes")[0]
    pics = {x: (_med(mesures["bibliotheque-" + x], 1), _med(mesures["precedente-" + x], 1))
            for x in ("comptes", "comptes-complet", "balances")}
    pics.update({f"commande {x}": (_med(mesures["cli-" + x], 1), _med(mesures["cliprecedente-" + x], 1))
                 for x in ("comptes", "balances")})
    memoire = ", ".join(f"{x} {a:.0f} ÷ {b:.0f} Mo = {a / b:.2f}" for x, (a, b) in pics.items())
    ecart = {x: _med(mesures["cli-" + x], 0) - _med(mesures["bibliotheque-" + x], 0) for x in ("comptes", "balances")}
    lignes += [
        "", "Objectifs (issue 16), rapports calculés tour par tour :", "",
        f"- balances, `orleans-gov extraire balances` ÷ agrégat DuckDB minimal : {r('cli-balances', M)} ; "
        f"objectif ≤ 1,3 (durée) : **{'atteint' if cb <= 1.3 else 'MANQUÉ'}** ;",
        f"  - bibliothèque ÷ minimal : {r('bibliotheque-balances', M)} ;",
        f"  - version précédente ÷ minimal : {r('precedente-balances', M)} ;",
        f"  - commande de la version précédente ÷ minimal : {r('cliprecedente-balances', M)} ;",
        f"  - pandas naïf ÷ commande : {r('pandas-balances', 'cli-balances')} ;",
        f"  - pandas pyarrow ÷ commande : {r('pandas-pyarrow-balances', 'cli-balances')} ;",
        f"- comptes, pandas naïf ÷ `orleans-gov extraire comptes` : {r('pandas-comptes', 'cli-comptes')} ; "
        f"objectif ≥ 3 (durée) : **{'atteint' if pc >= 3 else 'MANQUÉ'}** ;",
        f"  - pandas naïf ÷ bibliothèque : {r('pandas-comptes', 'bibliotheque-comptes')} ;",
        f"  - pandas naïf ÷ version précédente : {r('pandas-comptes', 'precedente-comptes')} ;",
        f"  - pandas naïf ÷ commande de la version précédente : {r('pandas-comptes', 'cliprecedente-comptes')} ;",
        f"- commande, nouvelle ÷ précédente : comptes {r('cli-comptes', 'cliprecedente-comptes')} ; balances "
        f"{r('cli-balances', 'cliprecedente-balances')} ;",
        f"- pic de mémoire médian, nouvelle ÷ précédente : {memoire} ;",
        f"- démarrage de la CLI (`orleans-gov extraire --help`) : {_med(mesures['demarrage-cli'], 0):.2f} s ; "
        f"commande − bibliothèque : comptes {ecart['comptes']:+.2f} s, balances {ecart['balances']:+.2f} s.", "",
        "Contrôle des sorties (dernier tour) :", ""] + [f"- {c}" for c in controles]
    lignes += ["", "Détail des exécutions (durée s / pic Mo / CPU s), dans l'ordre des tours :", ""]
    for k, v in mesures.items():
        lignes.append(f"- {k} : " + ", ".join(f"{d:.2f} s / {m:.0f} Mo / {c:.2f} s" for d, m, c in v))
    ancien = chemin.read_text(encoding="utf-8") if chemin.exists() else ""
    suite = ancien[ancien.index(MARQUE):] if MARQUE in ancien else f"{MARQUE}\n\n(à écrire)\n"
    texte = "\n".join(lignes) + "\n\n" + suite
    chemin.write_text(texte, encoding="utf-8")
    return texte


# ----------------------------------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--communes", type=int, default=35000)
    ap.add_argument("--annees", type=int, default=6)
    ap.add_argument("--lignes-balances", type=int, default=3_000_000)
    ap.add_argument("--repetitions", type=int, default=3)
    ap.add_argument("--regenerer", action="store_true")
    ap.add_argument("--version-precedente", default=PRECEDENTE, help="commit comparé (défaut : %(default)s)")
    ap.add_argument("--resultats", default=str(RESULTATS))
    ap.add_argument("--seulement", nargs="+", metavar="METHODE",
                    help="mesurer seulement ces méthodes (essais ciblés ; pas de fichier de résultats écrit)")
    a = ap.parse_args()

    t_debut = time.perf_counter()
    TRAVAIL.mkdir(parents=True, exist_ok=True)
    comptes = TRAVAIL / f"comptes_communes_{a.communes}x{a.annees}.csv"
    balances = TRAVAIL / f"balances_{a.lignes_balances}.csv"
    generation = {}
    for nom, f, args in (("comptes", comptes, [a.communes, a.annees]), ("balances", balances, [a.lignes_balances])):
        if a.regenerer or not f.exists():
            t = time.perf_counter()
            subprocess.run([PY, str(RACINE / "bench" / "generer_nationaux.py"), nom, str(f), *map(str, args)],
                           check=True)
            generation[nom] = time.perf_counter() - t
    precedente = version_precedente(a.version_precedente)
    tout = methodes(comptes, balances, precedente)
    if a.seulement:
        tout = {k: v for k, v in tout.items() if k in a.seulement}
    mesures: dict[str, list[tuple[float, float, float]]] = {k: [] for k in tout}
    charges = []
    coeurs_debut = coeurs_disponibles()
    for k in range(a.repetitions):
        charges.append(os.getloadavg())
        for nom, (commande, env, _f) in tout.items():
            sortie = TRAVAIL / "sorties" / nom / str(k + 1)
            sortie.parent.mkdir(parents=True, exist_ok=True)
            if sortie.exists():
                subprocess.run(["rm", "-rf", str(sortie)], check=True)
            m = mesurer([x.replace("{sortie}", str(sortie)) for x in commande], env)
            mesures[nom].append(m)
            print(f"tour {k + 1} {nom} : {m[0]:.2f} s, {m[1]:.0f} Mo, CPU {m[2]:.2f} s", file=sys.stderr)
    charges.append(os.getloadavg())
    coeurs_fin = coeurs_disponibles()
    if a.seulement:
        for k, v in mesures.items():
            print(f"{k} : médianes {_med(v, 0):.2f} s, CPU {_med(v, 2):.2f} s, {_med(v, 1):.0f} Mo ; "
                  f"charges {[round(c[0], 1) for c in charges]} ; cœurs {coeurs_debut:.2f}/{coeurs_fin:.2f}")
        return 0
    n = str(a.repetitions)
    so = TRAVAIL / "sorties"
    noms = {"comptes": ["communes_perimetre", "moyennes_strates"],
            "comptes-complet": ["communes_perimetre", "moyennes_strates", "populations_communes"],
            "balances": ["depenses_fonction_perimetre", "depenses_fonction_communes"]}

    def d(methode: str, tour: str = n) -> Path:
        return so / methode / tour
    controles = [f"{x}, nouvelle ÷ précédente : "
                 + comparer_parquet(d("bibliotheque-" + x), d("precedente-" + x), noms[x]) for x in noms]
    controles += [f"{x}, commande ÷ bibliothèque : {comparer_parquet(d('cli-' + x), d('bibliotheque-' + x), noms[x])}"
                  for x in ("comptes", "balances")]
    controles += [f"{x}, commande nouvelle ÷ commande précédente : "
                  + comparer_parquet(d("cli-" + x), d("cliprecedente-" + x), noms[x]) for x in ("comptes", "balances")]
    controles += [f"{x}, nouvelle ÷ {p} : {comparer_pandas(d('bibliotheque-' + x), d(p + '-' + x), x)}"
                  for x, p in (("comptes", "pandas"), ("balances", "pandas"), ("balances", "pandas-pyarrow"))]
    controles.append("balances, agrégat DuckDB minimal : "
                     + comparer_minimal(d("bibliotheque-balances"), d("duckdb-minimal-balances")))
    if a.repetitions > 1:
        controles.append("balances, version précédente contre elle-même (tours 1 et 2) : "
                         + comparer_parquet(d("precedente-balances", "1"), d("precedente-balances", "2"),
                                            noms["balances"]))
    total = time.perf_counter() - t_debut
    import duckdb
    import pandas

    def taille(p: Path) -> str:
        return f"{p.stat().st_size / 1e6:,.0f} Mo"
    n_comptes = int(subprocess.run(["wc", "-l", str(comptes)], capture_output=True, text=True).stdout.split()[0]) - 1
    cmd = " ".join([".venv/bin/python", "bench/bench_extraction.py"] + [shlex.quote(x) for x in sys.argv[1:]])
    quand = time.strftime("%d/%m/%Y à %H h %M UTC", time.gmtime())
    entete = [
        "# Benchmark — extraction des fichiers nationaux DGFiP : commande, bibliothèque, version précédente, "
        "agrégat DuckDB minimal et pandas, mesurés dans le même lancement", "",
        f"Commande : `{cmd}` (depuis la racine du dépôt), le {quand}. "
        f"Durée totale : {total / 60:.1f} min"
        + (f" dont génération {sum(generation.values()):.0f} s." if generation else " (fichiers déjà générés)."),
        f"Machine : {platform.machine()}, {os.cpu_count()} cœurs, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, pandas {pandas.__version__}. DuckDB : `threads=2`, `memory_limit=1GB`.", "",
        "Fichiers synthétiques aux formats officiels (bench/generer_nationaux.py ; bench/_work/, non versionné) :",
        "",
        f"- comptes individuels : {comptes.name}, {n_comptes:,} lignes × 205 champs (en-tête 2013), "
        f"{taille(comptes)}, UTF-8 ;",
        f"- balances nature × fonction : {balances.name}, {a.lignes_balances:,} lignes × 30 champs, virgule "
        f"décimale, ISO-8859-1, {taille(balances)}.", "",
        f"Médianes sur {a.repetitions} tours ; dans chaque tour chaque méthode est lancée une fois, dans un "
        "processus neuf, sous `/usr/bin/time` (durée murale mesurée par le parent ; CPU user + sys et pic de "
        "mémoire résidente du processus et de ses enfants). « Version précédente » : le code du commit "
        f"{a.version_precedente} (`git archive`, bench/_work/precedente/), mêmes fichiers, même tour.", ""]
    texte = ecrire_resultats(Path(a.resultats), mesures, charges, (coeurs_debut, coeurs_fin), entete, controles,
                             a.version_precedente)
    print(texte)
    return 0


if __name__ == "__main__":
    sys.exit(main())
