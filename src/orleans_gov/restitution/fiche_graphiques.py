"""Charts of the fiche commune: situation map, evolution of the entity's finances against its strata, spending by
policy against the median of the 22 communes. Each function returns its figure (source line and sample mark
included). ``ctx``: :class:`~orleans_gov.restitution.chargement.ContexteFiche`."""
from __future__ import annotations

import numpy as np
import pandas as pd

from orleans_gov.base import vocabulaire
from orleans_gov.restitution.cartes import carte_situation
from orleans_gov.restitution.formats import fmt_nombre
from orleans_gov.restitution.graphiques import (COULEUR_REFERENCE, annees_en_abscisse, couleur_entite, formateur_axe,
                                                grille_verticale, legende_figure, unite_axe)

PANNEAUX_EVOLUTION = (("r1_drf_hab", "strate_drf_hab", "Dépenses de fonctionnement"),
                      ("personnel_hab", "strate_personnel_hab", "Charges de personnel"),
                      ("encours_dette_par_habitant", "strate_dette_hab", "Encours de dette"),
                      ("taux_epargne_brute", None, vocabulaire.libelle("taux_epargne_brute")))
"""The four panels of :func:`fig_evolution`: (column of ``fiche.series_finances``, its strata mean, title)."""


def _plt():
    import matplotlib.pyplot as plt  # lazy: keeps ``import orleans_gov`` light

    return plt


def fig_situation(ctx, perimetre):
    """The 22 communes with the entity highlighted (all of them for the agglomeration)."""
    fig, ax = _plt().subplots(figsize=(4.6, 4.0))
    carte_situation(perimetre, None if ctx.agglo else ctx.entite, ax=ax, couleur=couleur_entite(ctx.entite),
                    titre=("Les 22 communes de l'agglomération" if ctx.agglo else "Situation dans l'agglomération"))
    legende_figure(fig, "IGN, ADMIN EXPRESS COG 2018 (contours simplifiés)")
    return fig


def fig_evolution(ctx, s: pd.DataFrame, exemple: bool):
    """Per-inhabitant DRF, personnel and debt with their strata means, and the taux d'épargne brute, by year
    (``s``: :func:`orleans_gov.restitution.fiche.series_finances`)."""
    fig, axes = _plt().subplots(2, 2, figsize=(10, 3.8), sharex=True)
    for ax, (col, col_strate, titre) in zip(axes.flat, PANNEAUX_EVOLUTION):
        taux = col == "taux_epargne_brute"
        ax.plot(s.index, s[col], marker="o", ms=4, lw=2, color=couleur_entite(ctx.entite), label=ctx.nom)
        if "provenance" in s and (s["provenance"].astype(str) == "réel").any():
            r = s[s["provenance"].astype(str) == "réel"]
            ax.plot(r.index, r[col], ls="none", marker="*", ms=11, color="black", zorder=4, label="donnée réelle")
        if col_strate is not None and s[col_strate].notna().any():
            ax.plot(s.index, s[col_strate], ls="--", lw=1.5, color=COULEUR_REFERENCE, label="moyenne de la strate")
        unite = vocabulaire.unite("taux_epargne_brute" if taux else "valeur_eur_hab")
        ax.set_title(f"{titre} ({unite_axe(unite).strip()})", fontsize=10.5)
        annees_en_abscisse(ax)
        ax.yaxis.set_major_formatter(formateur_axe(1 if taux else 0, unite_axe(unite) if taux else ""))
        if taux:
            ax.axhline(0, color="#999", lw=0.8)
        else:
            ax.set_ylim(bottom=0)
    axes[0, 0].legend(loc="lower left", fontsize=9)
    fig.suptitle(f"{ctx.nom} : évolution {ctx.annee_debut}–{ctx.annee}", x=0.01, ha="left", fontweight="bold")
    legende_figure(fig, "DGFiP, comptes individuels" + ("" if ctx.agglo else " et moyennes de strate"),
                   exemple=exemple, millesime=f"{ctx.annee_debut}-{ctx.annee}")
    return fig


def fig_depenses(ctx, t: pd.DataFrame, exemple: bool, source: str):
    """Spending per inhabitant by M14 function, with the median of the 22 communes for a commune
    (``t``: :func:`orleans_gov.restitution.fiche.depenses_politiques`)."""
    fig, ax = _plt().subplots(figsize=(10, 3.2))
    y = np.arange(len(t))
    ax.barh(y, t["montant_eur_hab"], color=couleur_entite(ctx.entite), label=ctx.nom, height=0.6)
    if not ctx.agglo:
        ax.scatter(t["mediane_communes_eur_hab"], y, color=COULEUR_REFERENCE, zorder=3, s=40, marker="D",
                   label="médiane des 22 communes")
    for yy, v in zip(y, t["montant_eur_hab"]):
        ax.text(v if pd.notna(v) else 0, yy, "  " + fmt_nombre(v), va="center", fontsize=8.5)
    ax.set_yticks(y, [x if len(x) < 40 else x[:38] + "…" for x in t.index])
    ax.invert_yaxis()
    eur_hab = unite_axe(vocabulaire.unite("montant_eur_hab"))
    ax.xaxis.set_major_formatter(formateur_axe(0, eur_hab))
    grille_verticale(ax)
    ax.legend(loc="lower right", fontsize=9)
    ax.set_title(f"Dépenses par fonction M14, {ctx.annee} (€ par habitant)")
    legende_figure(fig, source, exemple=exemple)
    return fig
