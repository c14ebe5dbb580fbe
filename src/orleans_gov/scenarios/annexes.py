"""Budgets annexes of the agglomeration (transports, eau, assainissement, déchets) and the consolidation of its
budgets (table ``budgets_annexes``, docs/TABLES.md: one row per entité × année × budget, k€).

The engine projects the agglomeration on the DGFiP GFP accounts, which consolidate the budget principal and the
budgets annexes (:mod:`.etat`). This module projects each annex with its own receipts, spending, debt and the
subvention d'équilibre it receives from the budget principal, and gives the budget principal by difference:

- annex, each projected year t (reference year R = the table's row): recettes = (recettes − versement transport −
  subvention)(R) × indice des autres recettes + versement transport(R) × indice de la fiscalité + subvention
  d'équilibre(R) (kept at its level: a decision of the budget principal); dépenses = dépenses(R) × indice des
  autres charges + intérêts des emprunts nouveaux; épargne brute = recettes − dépenses; remboursement =
  min(encours existant, remboursement(R)) + Σ emprunts nouveaux / durée; équipement = équipement(R) × indice de
  l'investissement; emprunt = max(0, équipement − max(épargne nette, 0)) (art. L.1612-4 CGCT: never an operating
  deficit, which is reported in ``ecart_equilibre``; the SPIC annexes must balance on their own receipts,
  art. L.2224-1 and L.2224-2 CGCT);
- budget principal = consolidé − Σ annexes, the subvention d'équilibre added back to its receipts (it is a
  receipt of the annex) and to its spending (it is paid by the principal) — so that principal + annexes −
  subventions = consolidé: the internal flow is removed once (:func:`consolider`). Each budget must be in
  équilibre réel on its own (art. L.1612-4 CGCT): the principal's ``equilibre_reel`` / ``ecart_equilibre`` are
  computed on its épargne nette by difference and reported (the lever of the scenario acts on the consolidated
  projection, which does not see a surplus of an annex paying for a deficit of the principal).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import SIREN_AGGLO

PRINCIPAL, CONSOLIDE = "principal", "consolidé"
COLONNES_TABLE = ("entite", "an", "budget", "recettes_fonctionnement", "depenses_fonctionnement",
                  "versement_transport", "subvention_equilibre", "epargne_brute", "depenses_equipement", "emprunt",
                  "remboursement_capital", "encours_dette")
"""Columns of ``budgets_annexes`` the engine reads (contract of docs/TABLES.md)."""

INDICATEURS_ANNEXES = ("recettes_reelles_fonctionnement", "versement_transport", "subvention_equilibre",
                       "depenses_reelles_fonctionnement", "epargne_brute", "remboursement_dette", "epargne_nette",
                       "depenses_equipement", "emprunt", "encours_dette", "equilibre_reel", "ecart_equilibre")
"""Indicators of an annex in the results (labels: :mod:`orleans_gov.base.vocabulaire`)."""

AVEC_FLUX = ("recettes_reelles_fonctionnement", "depenses_reelles_fonctionnement")
"""Indicators where the subvention d'équilibre is an internal flow (receipt of the annex, spending of the
principal), removed once in the consolidation."""

DIFFERENCE = ("recettes_reelles_fonctionnement", "depenses_reelles_fonctionnement", "epargne_brute",
              "remboursement_dette", "epargne_nette", "depenses_equipement", "emprunt", "encours_dette")
"""Indicators of the budget principal obtained by difference (consolidé − annexes, flows added back)."""


def verifier_table(ba: pd.DataFrame, fichier: str = "budgets_annexes") -> None:
    """Refuse a table without the contract's columns (error naming the file and the column)."""
    for col in COLONNES_TABLE:
        if col not in ba.columns:
            raise ErreurDonnees("colonne absente de la table des budgets annexes", fichier=fichier, colonne=col)


def projeter_annexes(ba: pd.DataFrame, R: int, annees: list[int], indices: dict[str, np.ndarray],
                     taux_interet: float, duree: int, fichier: str = "budgets_annexes") -> pd.DataFrame:
    """Projection of every annex of the agglomeration present in year ``R`` (module docstring for the rule).

    ``indices``: growth index by year of the agglomeration (arrays aligned on [R] + annees, 1 in R) for
    ``autres_recettes``, ``fiscalite``, ``autres_charges``, ``investissement``. Returns the long rows
    ``budget, annee, indicateur, valeur`` (year R = the table's values).
    """
    verifier_table(ba, fichier)
    a = ba[(ba["entite"].astype(str) == SIREN_AGGLO) & (ba["an"] == R)]
    lignes = []
    tous = [R] + list(annees)
    for _, r in a.sort_values("budget").iterrows():
        nom = str(r["budget"])
        vt0 = 0.0 if pd.isna(r["versement_transport"]) else float(r["versement_transport"])
        sub0 = 0.0 if pd.isna(r["subvention_equilibre"]) else float(r["subvention_equilibre"])
        rec0, dep0 = float(r["recettes_fonctionnement"]), float(r["depenses_fonctionnement"])
        remb0, dette0, eq0 = float(r["remboursement_capital"]), float(r["encours_dette"]), float(
            r["depenses_equipement"])
        s_ex, s_new, emprunts = dette0, 0.0, []
        for t, an in enumerate(tous):
            if t == 0:
                rec, dep, remb, eq, emp, enc = rec0, dep0, remb0, eq0, float(r["emprunt"]), dette0
            else:
                rec = ((rec0 - vt0 - sub0) * indices["autres_recettes"][t] + vt0 * indices["fiscalite"][t]
                       + sub0)
                dep = dep0 * indices["autres_charges"][t] + taux_interet * s_new
                rem_ex = min(s_ex, remb0)
                rem_new = sum(emprunts[max(0, len(emprunts) - duree):]) / duree
                remb = rem_ex + rem_new
                eq = eq0 * indices["investissement"][t]
                en = rec - dep - remb
                emp = max(0.0, eq - max(en, 0.0))
                s_ex -= rem_ex
                s_new += emp - rem_new
                emprunts.append(emp)
                enc = s_ex + s_new
            eb = rec - dep
            en = eb - remb
            vals = {"recettes_reelles_fonctionnement": rec, "versement_transport": vt0 * (
                indices["fiscalite"][t] if t else 1.0) if vt0 else np.nan,
                "subvention_equilibre": sub0, "depenses_reelles_fonctionnement": dep, "epargne_brute": eb,
                "remboursement_dette": remb, "epargne_nette": en, "depenses_equipement": eq,
                "emprunt": emp if t else np.nan, "encours_dette": enc,
                "equilibre_reel": 1.0 if en >= -1e-6 else 0.0, "ecart_equilibre": max(0.0, -en)}
            lignes += [{"budget": nom, "annee": an, "indicateur": k, "valeur": float(vals[k])}
                       for k in INDICATEURS_ANNEXES]
    return pd.DataFrame(lignes, columns=["budget", "annee", "indicateur", "valeur"])


def principal_par_difference(consolide: pd.DataFrame, annexes: pd.DataFrame) -> pd.DataFrame:
    """Budget principal = consolidé − Σ annexes, with the subvention d'équilibre added back to its receipts and
    spending (:data:`AVEC_FLUX`); ``subvention_equilibre`` of the principal = Σ paid. ``consolide``: rows
    ``annee, indicateur, valeur`` of the agglomeration; ``annexes``: :func:`projeter_annexes`."""
    if not len(annexes):
        return pd.DataFrame(columns=["annee", "indicateur", "valeur"])
    somme = annexes.groupby(["indicateur", "annee"])["valeur"].sum(min_count=1)
    sub = annexes[annexes.indicateur == "subvention_equilibre"].groupby("annee")["valeur"].sum()
    lignes = []
    c = consolide.set_index(["indicateur", "annee"])["valeur"]
    for (ind, an), v in c.items():
        if ind not in DIFFERENCE or (ind, an) not in somme.index:
            continue
        p = v - somme[(ind, an)] + (sub.get(an, 0.0) if ind in AVEC_FLUX else 0.0)
        lignes.append({"annee": an, "indicateur": ind, "valeur": float(p)})
    for an, v in sub.items():
        lignes.append({"annee": an, "indicateur": "subvention_equilibre", "valeur": float(v)})
    # art. L.1612-4 CGCT applies to each budget: the principal's own épargne nette (by difference)
    for d in [x for x in lignes if x["indicateur"] == "epargne_nette"]:
        lignes.append({"annee": d["annee"], "indicateur": "equilibre_reel",
                       "valeur": 1.0 if d["valeur"] >= -1e-6 else 0.0})
        lignes.append({"annee": d["annee"], "indicateur": "ecart_equilibre", "valeur": max(0.0, -d["valeur"])})
    return pd.DataFrame(lignes, columns=["annee", "indicateur", "valeur"])


def consolider(principal: pd.Series, annexes: pd.DataFrame, indicateur: str) -> pd.Series:
    """Consolidated value by year = budget principal + Σ annexes − subventions d'équilibre (internal flow removed
    once) for :data:`AVEC_FLUX`, plain sum otherwise. ``principal``: values by year; ``annexes``: long rows
    ``budget, annee, indicateur, valeur``."""
    somme = annexes[annexes.indicateur == indicateur].groupby("annee")["valeur"].sum()
    sub = annexes[annexes.indicateur == "subvention_equilibre"].groupby("annee")["valeur"].sum()
    out = principal.add(somme, fill_value=np.nan)
    if indicateur in AVEC_FLUX:
        out = out - sub.reindex(out.index).fillna(0.0)
    return out


def annexes_observees(ba: pd.DataFrame) -> pd.DataFrame:
    """The table's rows of the agglomeration as long rows ``budget, annee, indicateur, valeur`` (observed years)."""
    verifier_table(ba)
    a = ba[ba["entite"].astype(str) == SIREN_AGGLO]
    noms = {"recettes_fonctionnement": "recettes_reelles_fonctionnement",
            "depenses_fonctionnement": "depenses_reelles_fonctionnement", "encours_dette": "encours_dette",
            "subvention_equilibre": "subvention_equilibre", "remboursement_capital": "remboursement_dette"}
    lignes = [{"budget": str(r["budget"]), "annee": int(r["an"]), "indicateur": k, "valeur": float(r[c])}
              for _, r in a.iterrows() for c, k in noms.items() if pd.notna(r[c])]
    return pd.DataFrame(lignes, columns=["budget", "annee", "indicateur", "valeur"])
