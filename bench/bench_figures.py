"""Drawing time of every figure of the deliverables 01, 02, 10 and of the ``fig_*`` of 03 (issue 16, point 3),
outside the kernel, with the Agg backend: for each figure, the time of the figure function (construction, layout
included) and the time of the PNG the notebook writes (the ``image/png`` formatter that ``appliquer_style``
registers, with its ``print_figure`` arguments: ``figure.dpi``, crop or not), each the median of ``-r`` runs, in CPU time of the process (``time.process_time``: the machine is shared, the
wall time follows the load of the others). ``--png DIR`` writes each PNG (first run)
to compare two versions; ``--profil FILE`` writes a cProfile of one run of everything.

The version measured is the ``orleans_gov`` on ``sys.path``: ``PYTHONPATH=<other>/src`` measures another one
(the contexts are built from the same processed tables, ``$ORLEANS_GOV_DATA`` or data/ of the version)::

    .venv/bin/python bench/bench_figures.py -r 3 --png /tmp/apres
    PYTHONPATH=bench/_work/precedente/main/src .venv/bin/python bench/bench_figures.py -r 3 --png /tmp/avant
"""
from __future__ import annotations

import argparse
import base64
import cProfile
import json
import statistics
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from orleans_gov.restitution import appliquer_style  # noqa: E402
from orleans_gov.restitution import fiche_graphiques as gfi  # noqa: E402
from orleans_gov.restitution import fiche_sections as fs  # noqa: E402
from orleans_gov.restitution import finances_graphiques as gfin  # noqa: E402
from orleans_gov.restitution import organisations_graphiques as gorg  # noqa: E402
from orleans_gov.restitution import politiques_graphiques as gpol  # noqa: E402
from orleans_gov.restitution.chargement import contexte_diagnostic, contexte_fiche, contexte_organisations  # noqa: E402


def _fabriques(avec_03: bool, n_tirages: int):
    d = contexte_diagnostic(2013, 2008, None)
    o = contexte_organisations(2013, None)
    fab = {
        "01_carte_population": lambda: gpol.carte_population(d),
        "01_fig_indices_strate": lambda: gfin.fig_indices_strate(d),
        "01_fig_evolution_taux_epargne": lambda: gfin.fig_evolution_taux_epargne(d),
        "01_fig_capacite": lambda: gfin.fig_capacite(d),
        "01_fig_parts_bloc": lambda: gfin.fig_parts_bloc(d),
        "01_fig_evolution_bloc": lambda: gfin.fig_evolution_bloc(d),
        "01_fig_matrice_depenses": lambda: gpol.fig_matrice_depenses(d, "fonctionnement"),
        "01_fig_integration": lambda: gpol.fig_integration(d),
        "01_cartes_politiques": lambda: gpol.cartes_politiques(d, "fonctionnement"),   # two figures (list)
        "01_fig_centralite": lambda: gpol.fig_centralite(d),
        "02_fig_taux_administration": lambda: gorg.fig_taux_administration(o),
        "02_fig_filieres": lambda: gorg.fig_filieres(o),
        "02_fig_categories_statuts": lambda: gorg.fig_categories_statuts(o),
        "02_fig_doublons": lambda: gorg.fig_doublons(o),
        "02_fig_police": lambda: gorg.fig_police(o),
    }
    for code in ("45234", "244500468"):
        f = contexte_fiche(code, 2013, 2008, None)
        fs.donnees_de_base(f)
        fs.indicateurs_financiers(f)
        fab[f"10_{code}_fig_situation"] = (lambda f=f: gfi.fig_situation(f, f.table("perimetre")))
        fab[f"10_{code}_fig_evolution"] = (lambda f=f: fs.evolution(f)[0])   # with its series
        fab[f"10_{code}_fig_depenses"] = (lambda f=f: fs.depenses(f)[0])    # with its table
    if avec_03:
        fab.update(_fabriques_03(n_tirages))
    return fab


def _fabriques_03(n_tirages: int):
    from orleans_gov import restitution as rt
    from orleans_gov.base.territoire import SIREN_AGGLO
    from orleans_gov.restitution import scenarios as rs
    from orleans_gov.restitution.chargement_scenarios import contexte_scenarios
    from orleans_gov.scenarios import BLOC
    from orleans_gov.scenarios.sensibilite import monte_carlo_indicateurs, tornado

    del rt
    c = contexte_scenarios(None, 2013, [2014, 2020], None)
    ref = c.reference
    sc = ref.scenario
    t_en = tornado(sc, c.donnees, mesure="epargne_nette_cumulee")
    mc = {n: monte_carlo_indicateurs(r.scenario, c.donnees, ("epargne_nette", "capacite_desendettement"),
                                     n_tirages=n_tirages)["epargne_nette"] for n, r in c.resultats.items()}
    fab = {"03_fig_trajectoire": lambda: rs.fig_trajectoire(ref, c.exemple),
           "03_fig_capacite_entites": lambda: rs.fig_capacite_entites(ref, c.fin, c.exemple),
           "03_fig_tornado": lambda: rs.fig_tornado(t_en, f"Épargne nette cumulée {sc.debut}–{sc.fin} du bloc "
                                                    f"communal — {sc.nom}", " M€", c.exemple, sc, diviseur=1000),
           "03_fig_bandes": lambda: rs.fig_bandes(mc, [BLOC, SIREN_AGGLO], "Épargne nette annuelle : incertitude",
                                                  c.exemple, sc)}
    for i, r in enumerate(c.avec_actions):
        cf = c.contrefactuels[r.scenario.nom]
        fab[f"03_{i}_fig_effets_annuels"] = (lambda r=r, cf=cf: rs.fig_effets_annuels(r, cf, c.exemple))
        fab[f"03_{i}_fig_effets_communes"] = (lambda r=r, cf=cf: rs.fig_effets_communes(r, cf, c.exemple))
    return fab


def main() -> None:
    a = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    a.add_argument("--repetitions", "-r", type=int, default=3)
    a.add_argument("--png", help="dossier où écrire le PNG de chaque figure")
    a.add_argument("--profil", help="fichier cProfile (une passe de toutes les figures)")
    a.add_argument("--sans-03", action="store_true")
    a.add_argument("--n-tirages", type=int, default=500)
    a.add_argument("--filtre", default="", help="seulement les figures dont le nom contient ce texte")
    a.add_argument("--json")
    args = a.parse_args()
    appliquer_style()
    # the PNG formatter the style registers for the notebooks (its print_figure keyword arguments included)
    au_format_png = InteractiveShell.instance().display_formatter.formatters["image/png"]
    fab = {k: v for k, v in _fabriques(not args.sans_03, args.n_tirages).items() if args.filtre in k}
    if args.png:
        Path(args.png).mkdir(parents=True, exist_ok=True)
    mesures: dict[str, dict[str, list[float]]] = {k: {"construction": [], "png": []} for k in fab}
    profil = cProfile.Profile() if args.profil else None
    for rep in range(args.repetitions):
        for nom, f in fab.items():
            if profil is not None and rep == 0:
                profil.enable()
            t0 = time.process_time()
            figs = f()
            t1 = time.process_time()
            pngs = [au_format_png(fig) for fig in (figs if isinstance(figs, list) else [figs])]
            pngs = [base64.b64decode(p) if isinstance(p, str) else p for p in pngs]
            t2 = time.process_time()
            if profil is not None and rep == 0:
                profil.disable()
            plt.close("all")
            mesures[nom]["construction"].append(t1 - t0)
            mesures[nom]["png"].append(t2 - t1)
            if args.png and rep == 0:
                for k, png in enumerate(pngs):
                    (Path(args.png) / (f"{nom}.png" if len(pngs) == 1 else f"{nom}_{k + 1}.png")).write_bytes(png)
    if profil is not None:
        profil.dump_stats(args.profil)
    total_c = total_p = 0.0
    print(f"{'figure':40s} {'construction':>12s} {'png':>8s} {'total':>8s}")
    resultats = {}
    for nom, m in mesures.items():
        c, p = statistics.median(m["construction"]), statistics.median(m["png"])
        total_c, total_p = total_c + c, total_p + p
        resultats[nom] = {"construction": c, "png": p}
        print(f"{nom:40s} {c:12.3f} {p:8.3f} {c + p:8.3f}")
    print(f"{'TOTAL':40s} {total_c:12.3f} {total_p:8.3f} {total_c + total_p:8.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps(resultats, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
