"""Charts and maps of the perimeter and of the policy diagnostic (notebook 01 sections 1 and 4): population map,
spending by function and commune, taux d'intégration, maps by policy, charges de centralité. Each function draws one
figure with its source line and sample mark and returns it. ``ctx``:
:class:`~orleans_gov.restitution.chargement.ContexteDiagnostic`.
"""
from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from orleans_gov.analyse.politiques import taux_integration
from orleans_gov.base import vocabulaire
from orleans_gov.base.nomenclatures import FONCTIONS_M14, SECTIONS
from orleans_gov.restitution.cartes import barre_commune, carte
from orleans_gov.restitution.formats import fmt_nombre, fmt_pct
from orleans_gov.restitution.graphiques import (CMAP_SEQUENTIELLE, COULEUR_FONCTIONNEMENT, COULEUR_INVESTISSEMENT,
                                                COULEUR_ORLEANS, COULEUR_REFERENCE, formateur_axe,
                                                grille_verticale, legende_enveloppee, sans_dessin_force, unite_axe)
from orleans_gov.restitution.politiques import communes_population, libelle_fonction, matrice_eur_hab, numeros_carte

CLASSES_POPULATION = ([0, 2_000, 5_000, 10_000, 20_000, 50_000, 1e7],
                      ["moins de 2 000", "2 000 à 5 000", "5 000 à 10 000", "10 000 à 20 000", "20 000 à 50 000",
                       "plus de 50 000"])
EUR_HAB = vocabulaire.unite("montant_eur_hab")


def _plt():
    import matplotlib.pyplot as plt  # lazy: keeps ``import orleans_gov`` light

    return plt


def point_etiquette(geometrie):
    """Where a commune's number goes: the pole of inaccessibility (the inner point farthest from the border) of its
    largest part, so that a number never sits on a narrow neck of the commune."""
    from shapely.ops import polylabel  # lazy, as matplotlib: keeps ``import orleans_gov`` light

    parties = list(getattr(geometrie, "geoms", [geometrie]))
    plus_grande = max(parties, key=lambda g: g.area)
    return polylabel(plus_grande, tolerance=plus_grande.length / 500)


def carte_population(ctx):
    """The 22 communes coloured by population class, each numbered by its rank (the legend is the population table,
    :func:`~orleans_gov.restitution.politiques.tableau_population`)."""
    import matplotlib.patheffects as pe  # lazy: keeps ``import orleans_gov`` light

    carte_pop = communes_population(ctx)
    bornes, classes = CLASSES_POPULATION
    carte_pop["classe"] = pd.cut(carte_pop["population"], bornes, labels=classes, right=False)
    fig, ax = _plt().subplots(figsize=(10, 8.5))
    carte(carte_pop, "classe", f"Population des 22 communes en {ctx.annee}", vocabulaire.entete("population"),
          ax=ax, cmap="Blues")
    # a number per commune (its rank by population, the first column of the table beside the map): names written on
    # the map collided in the centre and left the frame (issue 14)
    numeros = numeros_carte(carte_pop)
    for _, l in carte_pop.iterrows():
        p = point_etiquette(l.geometry)
        ax.annotate(str(numeros[l["nom"]]), (p.x, p.y), ha="center", va="center", fontsize=10, fontweight="bold",
                    color="#111", path_effects=[pe.withStroke(linewidth=2.5, foreground="white")])
    statuts = carte_pop["statut_population"].value_counts().to_dict()
    legende_enveloppee(fig, f"IGN ADMIN EXPRESS COG 2018 simplifié ; populations INSEE {ctx.annee} (table territoire : "
                       + ", ".join(f"{n} {s}" for s, n in sorted(statuts.items())) + ")", exemple=False)
    return fig


def fig_matrice_depenses(ctx, section: str = "fonctionnement"):
    """Heatmap communes × M14 functions of the spending per inhabitant of one section."""
    import seaborn as sns  # lazy: keeps ``import orleans_gov`` light

    m = matrice_eur_hab(ctx.dep_hab, ctx.annee, section=section)
    annot = m.map(lambda v: fmt_nombre(v, 0))
    fig, ax = _plt().subplots(figsize=(13, 10))
    with sans_dessin_force(fig):  # its draw only tests the labels for overlap: rotations set below
        sns.heatmap(m, annot=annot, fmt="", cmap=CMAP_SEQUENTIELLE, linewidths=0.5, linecolor="white", ax=ax,
                    cbar_kws={"label": unite_axe(EUR_HAB).strip(), "format": formateur_axe(0), "shrink": 0.6},
                    annot_kws={"fontsize": 8.5})
    ax.set_yticklabels(ax.get_yticklabels(), rotation=0)
    ax.set_xticklabels(ax.get_xticklabels(), rotation=35, ha="right", rotation_mode="anchor", fontsize=9)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(f"Dépenses de {section} par fonction M14 et par commune, {ctx.annee} ({unite_axe(EUR_HAB).strip()})")
    legende_enveloppee(fig, ctx.source_dep_graphe, exemple=ctx.exemple_dep)
    return fig


def fig_integration(ctx):
    """Taux d'intégration of each policy, one bar per section."""
    fig, ax = _plt().subplots(figsize=(10, 6.5))
    y = np.arange(len(FONCTIONS_M14))
    for k, (s, dec) in enumerate(zip(SECTIONS, (-0.2, 0.2))):
        v = taux_integration(ctx.depenses, ctx.annee, section=s).set_index("fonction")["taux_integration_pct"]
        v = v.reindex(list(FONCTIONS_M14))
        ax.barh(y + dec, v.fillna(0), height=0.38, color=(COULEUR_FONCTIONNEMENT, COULEUR_INVESTISSEMENT)[k % 2], label=s.capitalize())
        for yy, vv in zip(y + dec, v):
            ax.text((0 if pd.isna(vv) else vv) + 1, yy, fmt_pct(vv, 0, fraction=False), va="center", fontsize=8)
    ax.set_yticks(y, [libelle_fonction(f) for f in FONCTIONS_M14])
    ax.invert_yaxis()
    ax.set_xlim(0, 105)
    ax.xaxis.set_major_formatter(formateur_axe(0, unite_axe(vocabulaire.unite("taux_integration"))))
    grille_verticale(ax)
    ax.legend(loc="upper right")   # the top rows are short; lower right covered the « Action économique » labels
    # the line broken here (longer than the figure over the wide labels): laid out once (issue 16)
    ax.set_title(f"{vocabulaire.libelle('taux_integration')} par politique, {ctx.annee}\n(part de l'agglomération)")
    legende_enveloppee(fig, ctx.source_dep_graphe, exemple=ctx.exemple_dep)
    return fig


CARTES_PAR_FIGURE = 5
"""Maps of :func:`cartes_politiques` per figure: five maps and the colour bar on a 3 × 2 grid of 8,8 × 5,9 in,
which a portrait A4 page prints at 0,83 of its size — every text ≥ 7 pt (test_impression). The ten maps on one
18 in figure printed at 0,41: panel titles at 5 pt."""


def cartes_politiques(ctx, section: str = "fonctionnement") -> list:
    """One map per M14 function of the communes' spending per inhabitant, on one colour scale for the ten maps,
    in two figures of five maps (functions 0 to 4, then 5 to 9). Returns the figures, in order."""
    geo = ctx.perimetre.copy()
    dep = ctx.dep_hab
    d = dep[(dep["niveau"] == "commune") & (dep["section"] == section)]
    # one colour scale for the whole series (issue 14): 0 to the largest value of any commune and function
    echelle = (0.0, float(d["eur_hab"].max())) if d["eur_hab"].notna().any() else None
    unite = unite_axe(EUR_HAB).strip()
    fonctions = list(FONCTIONS_M14)
    groupes = [fonctions[k:k + CARTES_PAR_FIGURE] for k in range(0, len(fonctions), CARTES_PAR_FIGURE)]
    figures = []
    for n, groupe in enumerate(groupes, start=1):
        fig, axes = _plt().subplots(2, 3, figsize=(8.8, 5.9))
        for ax, f in zip(axes.flat, groupe):
            v = d[d["fonction"] == f]
            g = geo.merge(v[["entite", "eur_hab"]].rename(columns={"entite": "code_insee"}), on="code_insee",
                          how="left")
            carte(g, "eur_hab", libelle_fonction(f), unite, ax=ax, echelle=echelle)
            ax.set_title(textwrap.fill(libelle_fonction(f), 26), fontsize=10)
        libres = list(axes.flat)[len(groupe):]
        for ax in libres:
            ax.set_axis_off()
        fig.suptitle(f"Dépenses de {section} des communes par politique, {ctx.annee} ({unite}) — "
                     f"{n}/{len(groupes)} : fonctions {groupe[0]} à {groupe[-1]} ; même échelle de couleur pour "
                     f"les {len(fonctions)} cartes", x=0.01, ha="left", fontweight="bold", fontsize=11)
        legende_enveloppee(fig, ctx.source_dep_graphe + " ; fonds IGN ADMIN EXPRESS", exemple=ctx.exemple_dep)
        if echelle is not None and libres:
            barre_commune(fig, echelle, f"Dépenses de {section}\npar habitant ({unite})", dans=libres[-1])
        figures.append(fig)
    return figures


def fig_centralite(ctx):
    """Spending per inhabitant of Orléans and of the rest of the territory, by policy."""
    centr = ctx.centralite
    fig, ax = _plt().subplots(figsize=(10, 6.5))
    y = np.arange(len(centr))
    ax.barh(y - 0.2, centr["centre_eur_hab"], height=0.38, color=COULEUR_ORLEANS, label="Orléans")
    ax.barh(y + 0.2, centr["moyenne_ponderee_autres_eur_hab"], height=0.38, color=COULEUR_REFERENCE,
            label=vocabulaire.libelle("moyenne_ponderee_autres_eur_hab"))
    ax.set_yticks(y, [libelle_fonction(f, l) for f, l in zip(centr["fonction"], centr["libelle_fonction"])])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(formateur_axe(0, unite_axe(EUR_HAB)))
    grille_verticale(ax)
    ax.legend(loc="lower right")
    ax.set_title(f"Dépense par habitant (fonctionnement + investissement) :\nOrléans et le reste du territoire, "
                 f"{ctx.annee}", fontsize=12)
    legende_enveloppee(fig, ctx.source_dep_graphe, exemple=ctx.exemple_dep)
    return fig
