"""Charts of the financial diagnostic (notebook 01 sections 2–3): strata indices, taux d'épargne brute over the
period, capacité de désendettement, the bloc communal. Each function draws one figure, puts its source line and
sample mark under it (:func:`~orleans_gov.restitution.graphiques.legende_enveloppee`) and returns it.

``ctx`` is a :class:`~orleans_gov.restitution.chargement.ContexteDiagnostic`.
"""
from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from orleans_gov.analyse.finances import seuils_capacite
from orleans_gov.analyse.strates import CHAMPS_STRATE
from orleans_gov.base import vocabulaire
from orleans_gov.base.territoire import nom_entite
from orleans_gov.restitution.formats import fmt_nombre, fmt_pct
from orleans_gov.restitution.graphiques import (COULEUR_AGGLO, COULEUR_ALERTE, COULEUR_COMMUNES, COULEUR_FAVORABLE,
                                                COULEUR_REFERENCE, COULEUR_VIGILANCE, PALETTE_CATEGORIES,
                                                annees_en_abscisse, couleur_entite, formateur_axe, grille_verticale,
                                                legende_enveloppee, nom_couleur, unite_axe)

CHAMPS_INDICES = ("charge", "perso", "equip", "dette")
"""DGFiP fields of the strata chart (their labels: :data:`orleans_gov.analyse.strates.CHAMPS_STRATE`)."""


def _plt():
    import matplotlib.pyplot as plt  # lazy: keeps ``import orleans_gov`` light

    return plt


def fig_indices_strate(ctx, seuil: float = 5.0):
    """Per-inhabitant amounts of each commune against its strata mean (index 100), one panel per field; red above
    100 + ``seuil``, green under 100 − ``seuil``."""
    c = ctx.comparaison[(ctx.comparaison["an"] == ctx.annee) & ctx.comparaison["champ"].isin(CHAMPS_INDICES)].copy()
    c["Commune"] = c["entite"].map(nom_entite)
    ordre = c[c["champ"] == "perso"].sort_values("indice")["Commune"].tolist()
    fig, axes = _plt().subplots(1, len(CHAMPS_INDICES), figsize=(15, 8), sharey=True)
    for ax, champ in zip(axes, CHAMPS_INDICES):
        g = c[c["champ"] == champ].set_index("Commune").reindex(ordre)
        couleurs = [COULEUR_ALERTE if v > 100 + seuil else (COULEUR_FAVORABLE if v < 100 - seuil else COULEUR_REFERENCE)
                    for v in g["indice"].fillna(100)]
        ax.barh(g.index, g["indice"] - 100, left=100, color=couleurs)
        for y, v in enumerate(g["indice"]):
            if pd.isna(v):
                ax.text(100, y, " n.d.", va="center", fontsize=8, color="#555")
        ax.axvline(100, color="#333", lw=1)
        ax.set_title(vocabulaire.libelle(CHAMPS_STRATE[champ]), fontsize=11)
        ax.xaxis.set_major_formatter(formateur_axe(0))
        ax.set_xlabel(f"{vocabulaire.unite('indice_strate').capitalize()} (100 = moyenne de la strate)")
        grille_verticale(ax)
    fig.suptitle(f"Dépenses par habitant rapportées à la moyenne de la strate DGFiP, {ctx.annee}",
                 x=0.01, ha="left", fontweight="bold", fontsize=13)
    s = fmt_nombre(seuil)
    legende_enveloppee(fig, ctx.source_fin_graphe + f" ; en {nom_couleur(COULEUR_ALERTE)} : plus de {s} % au-dessus de la strate, "
                       f"en {nom_couleur(COULEUR_FAVORABLE)} : plus de {s} % au-dessous", exemple=ctx.exemple_fin)
    return fig


def fig_evolution_taux_epargne(ctx, ncol: int = 6):
    """Taux d'épargne brute of each entity over the period (small multiples), with the strata mean of the DGFiP
    file (dashed) for the communes."""
    ev = ctx.indicateurs.copy()
    ev["Entité"] = ev["entite"].map(nom_entite)
    entites = (sorted(ev.loc[ev["niveau"] == "commune", "Entité"].unique())
               + sorted(ev.loc[ev["niveau"] != "commune", "Entité"].unique()))
    strate = ctx.fc.set_index(["code_insee", "an"])["rmcaf"] if "rmcaf" in ctx.fc else None
    nrow = int(np.ceil(len(entites) / ncol))
    # 11 in wide: printed on 186 mm at about 2/3 scale, panel titles ≈ 7 pt and ticks ≈ 6 pt (issue 14: was 5 pt)
    fig, axes = _plt().subplots(nrow, ncol, figsize=(11, 1.6 * nrow + 0.9), sharex=True, sharey=True)
    reels = False
    for ax, nom in zip(axes.flat, entites):
        g = ev[ev["Entité"] == nom].sort_values("an")
        ax.plot(g["an"], g["taux_epargne_brute"], color=couleur_entite(g["entite"].iloc[0]), lw=2, marker="o", ms=2.5)
        r = g[g["provenance"].astype(str) == "réel"] if "provenance" in g else g.iloc[0:0]
        if len(r):
            reels = True
            ax.plot(r["an"], r["taux_epargne_brute"], ls="none", marker="*", ms=10, color="black", zorder=4)
        if strate is not None and g["niveau"].iloc[0] == "commune":
            s = strate.xs(g["entite"].iloc[0], level="code_insee").reindex(g["an"])
            ax.plot(g["an"], s.values, color=COULEUR_REFERENCE, lw=1, ls="--")
        commune = g["niveau"].iloc[0] == "commune"
        # a name longer than a panel (« La Chapelle-Saint-Mesmin ») broken after a hyphen, here rather than by
        # legende_figure once the figure is laid out, which would lay it out a second time (issue 16)
        ax.set_title(textwrap.fill(nom, 19) if commune else nom, fontsize=10.5,
                     fontweight="normal" if commune else "bold")
        annees_en_abscisse(ax)
        ax.yaxis.set_major_formatter(formateur_axe(0, unite_axe(vocabulaire.unite("taux_epargne_brute"))))
        ax.tick_params(labelsize=9.5)
    # the zero line once every panel is plotted: ``axhline`` reads the y limits, which re-autoscales the 24 shared
    # panels after each new curve (issue 16: 0,75 s); drawn last in each panel, as before
    for ax in list(axes.flat)[:len(entites)]:
        ax.axhline(0, color="#999", lw=0.8)
    for ax in list(axes.flat)[len(entites):]:
        ax.set_visible(False)
    fig.suptitle(f"{vocabulaire.libelle('taux_epargne_brute')} (CAF / produits de fonctionnement), "
                 f"{ctx.annee_debut}-{ctx.annee} — trait plein : entité ; tirets : moyenne de la strate"
                 + (" ; étoile noire : donnée réelle (les autres points sont des données d'exemple)" if reels else ""),
                 x=0.01, ha="left", fontweight="bold", fontsize=12)
    legende_enveloppee(fig, ctx.source_fin_graphe, exemple=ctx.exemple_fin)
    return fig


def fig_capacite(ctx):
    """Capacité de désendettement of every entity in the year (bars; the thresholds of the year dashed)."""
    vigilance, alerte = seuils_capacite(ctx.annee)
    cap = ctx.indicateurs[ctx.indicateurs["an"] == ctx.annee].copy()
    cap["Entité"] = cap["entite"].map(nom_entite)
    cap = cap.sort_values("capacite_desendettement", na_position="first")
    fig, ax = _plt().subplots(figsize=(10, 8))
    valeurs = cap["capacite_desendettement"]
    couleurs = [COULEUR_ALERTE if v > alerte else (COULEUR_VIGILANCE if v >= vigilance else COULEUR_FAVORABLE)
                for v in valeurs.fillna(0)]
    ax.barh(cap["Entité"], valeurs.fillna(0), color=couleurs)
    for y, (v, eb) in enumerate(zip(valeurs, cap["epargne_brute"])):
        if pd.isna(v):
            ax.text(0.1, y, "non calculable (épargne brute ≤ 0)" if eb <= 0 else "n.d.", va="center", fontsize=9,
                    color="#555")
        else:
            ax.text(v + 0.1, y, fmt_nombre(v, 1), va="center", fontsize=8.5)
    for s in (vigilance, alerte):
        ax.axvline(s, color="#555", ls="--", lw=1)
        ax.text(s, len(cap) - 0.4, f"{fmt_nombre(s)} ans", ha="center", va="bottom", fontsize=9, color="#555")
    ax.set_xlabel("Années d'épargne brute nécessaires pour rembourser la dette")
    ax.xaxis.set_major_formatter(formateur_axe(0))
    grille_verticale(ax)
    ax.set_title(f"{vocabulaire.libelle('capacite_desendettement')} au 31/12/{ctx.annee} (encours / épargne brute)")
    legende_enveloppee(fig, ctx.source_fin_graphe, exemple=ctx.exemple_fin)
    return fig


def fig_parts_bloc(ctx):
    """Share of the communes and of the agglomeration in each indicator of the bloc (before reversement)."""
    b = ctx.bloc[ctx.bloc["an"] == ctx.annee]
    parts = b.set_index(b["indicateur"].map(vocabulaire.libelle))[["part_communes_pct", "part_agglomeration_pct"]]
    parts = parts.dropna()
    fig, ax = _plt().subplots(figsize=(10, 5.5))
    ax.barh(parts.index, parts["part_communes_pct"], color=COULEUR_COMMUNES, label="Communes")
    ax.barh(parts.index, parts["part_agglomeration_pct"], left=parts["part_communes_pct"], color=COULEUR_AGGLO,
            label="Agglomération")
    for y, (pc, pa) in enumerate(zip(parts["part_communes_pct"], parts["part_agglomeration_pct"])):
        ax.text(pc / 2, y, fmt_pct(pc, 0, fraction=False), ha="center", va="center", color="white", fontsize=9)
        ax.text(pc + pa / 2, y, fmt_pct(pa, 0, fraction=False), ha="center", va="center", color="black", fontsize=9)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(formateur_axe(0, " %"))
    ax.invert_yaxis()
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, -0.25), ncol=2)
    grille_verticale(ax)
    ax.set_title(f"Part de chaque niveau dans le bloc communal, {ctx.annee}")
    legende_enveloppee(fig, ctx.source_fin_graphe + " ; parts calculées avant reversement (AC et DSC)",
                       exemple=ctx.exemple_fin)
    return fig


def fig_evolution_bloc(ctx, indicateurs=("rrf", "drf", "epargne_brute", "equipement")):
    """The consolidated bloc per inhabitant over the period, one line per indicator."""
    ev_b = ctx.bloc[ctx.bloc["indicateur"].isin(indicateurs)]
    fig, ax = _plt().subplots(figsize=(10, 5.5))
    for i, (ind, g) in enumerate(ev_b.groupby("indicateur", sort=False)):
        ax.plot(g["an"], g["bloc_eur_hab"], marker="o", ms=3, lw=2,
                color=PALETTE_CATEGORIES[i % len(PALETTE_CATEGORIES)], label=vocabulaire.libelle(ind))
    annees_en_abscisse(ax)
    ax.yaxis.set_major_formatter(formateur_axe(0, unite_axe(vocabulaire.unite("bloc_eur_hab"))))
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(f"Bloc communal consolidé : évolution par habitant, {ctx.annee_debut}-{ctx.annee}")
    legende_enveloppee(fig, ctx.source_fin_graphe, exemple=ctx.exemple_fin)
    return fig
