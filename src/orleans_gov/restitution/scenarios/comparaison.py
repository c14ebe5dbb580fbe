"""The deliverable 04_comparaison_scenarios: one page per scenario for the bureau communautaire — what changes, who
gains and who loses (k€ and €/hab, per commune), the agglomeration's DGF and CIF, the taxpayers' side, the legal
conditions — and one table of all scenarios side by side.

Every number is read from the engine's long results (:attr:`orleans_gov.scenarios.Resultat.long`, the table
``orleans-gov scenario`` writes as ``resultats.csv``): the gain of an entity is its épargne brute in the scenario
minus its épargne brute in the same scenario without action (same year); per inhabitant with the population of the
reference year (DGFiP). The taxpayers' side is the extra tax product (fiscalité of the scenario − without action):
the scenario files move rates as a RELATIVE variation of the product at constant bases (+ 2 % of product), not in
points of rate.
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from orleans_gov.base.territoire import CODES_INSEE, ENTITES, SIREN_AGGLO, nom_entite
from orleans_gov.restitution.fragments import markdown
from orleans_gov.restitution.scenarios.commun import SOURCE, lecture, millesime
from orleans_gov.restitution.scenarios.gouvernance import conditions_legales
from orleans_gov.restitution.scenarios.tableaux import tableau_actions, tableaux_details
from orleans_gov.restitution.tableaux import tableau, tableau_termes, termes_en_colonnes
from orleans_gov.scenarios import BLOC

NOTE_CONTRIBUABLES = ("Les taux sont modifiés en variation relative du produit à bases constantes (+ 2 % de "
                      "produit), et non en points de taux : le produit supplémentaire est payé par les "
                      "contribuables des entités dont le taux varie.")


def _valeurs(res, ind: str, annee: int) -> pd.Series:
    """``valeur`` of one indicator and year by entity (``long[(indicateur, annee)].set_index("entite")``)."""
    return lecture(res.long, "valeur").serie(ind, annee)


def gains_entites(res, ref, annee: int | None = None) -> pd.DataFrame:
    """Per commune and the agglomeration, for ``annee`` (default: the last year): épargne brute with and without
    the actions, ``gain_keur`` (k€) and ``gain_eur_hab`` (€ per inhabitant of the reference year)."""
    an = annee or res.scenario.fin
    a, b = _valeurs(res, "epargne_brute", an), _valeurs(ref, "epargne_brute", an)
    pop = pd.Series(res.base.population, index=list(ENTITES))
    t = pd.DataFrame({"entite": list(ENTITES), "commune": [nom_entite(e) for e in ENTITES]})
    t["epargne_brute_scenario"] = a.reindex(ENTITES).to_numpy()
    t["epargne_brute_sans_action"] = b.reindex(ENTITES).to_numpy()
    t["gain_keur"] = t["epargne_brute_scenario"] - t["epargne_brute_sans_action"]
    t["gain_eur_hab"] = t["gain_keur"] * 1000.0 / pop.reindex(ENTITES).to_numpy()
    return t


def indicateurs_gouvernance(res, annee: int | None = None) -> pd.DataFrame:
    """Per entity for ``annee``: AC, DSC, FPIC, seats (NaN where the scenario does not set them)."""
    an = annee or res.scenario.fin
    t = pd.DataFrame({"entite": list(ENTITES), "commune": [nom_entite(e) for e in ENTITES]})
    for ind in ("attribution_compensation", "dsc", "fpic", "sieges"):
        t[ind] = _valeurs(res, ind, an).reindex(ENTITES).to_numpy()
    return t


def agglomeration(res, ref) -> pd.DataFrame:
    """The agglomeration year by year: DGF, dotation d'intercommunalité and CIF with and without the actions."""
    lignes = []
    for an in [res.scenario.annee_reference] + res.scenario.annees:
        l = {"annee": an}
        for ind in ("dgf", "dotation_intercommunalite", "cif"):
            l[f"{ind}_scenario"] = float(_valeurs(res, ind, an).get(SIREN_AGGLO, np.nan))
            l[f"{ind}_sans_action"] = float(_valeurs(ref, ind, an).get(SIREN_AGGLO, np.nan))
        lignes.append(l)
    return pd.DataFrame(lignes)


def contribuables(res, ref, annee: int | None = None) -> pd.DataFrame:
    """Extra tax product per entity for ``annee`` due to the rate decisions of the scenario (``ecart_fiscalite``,
    k€): fiscalité × (1 − 1 / m) with m the product multiplier of the rate variations (``Effets.m_fisc``), so that
    the other effects of the actions on the tax receipts (transfers…) are not counted as paid by the taxpayers.
    Only the entities whose rates move."""
    an = annee or res.scenario.fin
    t_idx = ([res.scenario.annee_reference] + res.scenario.annees).index(an)
    m = res.effets.m_fisc[:, t_idx]
    fisc = _valeurs(res, "fiscalite", an).reindex(ENTITES).to_numpy()
    e = fisc * (1.0 - 1.0 / m)
    t = pd.DataFrame({"entite": list(ENTITES), "commune": [nom_entite(x) for x in ENTITES], "ecart_fiscalite": e})
    return t[t["ecart_fiscalite"].abs() > 1e-6].reset_index(drop=True)


def synthese(resultats: dict, contrefactuels: dict) -> pd.DataFrame:
    """All scenarios side by side (last year of each): the communes' and the agglomeration's gain, the bloc's,
    the CIF and the dotation d'intercommunalité, the extra tax product, the FPIC and Orléans' seats."""
    lignes = []
    for nom, r in resultats.items():
        ref = contrefactuels[nom]
        an = r.scenario.fin
        g = gains_entites(r, ref, an).set_index("entite")
        ind = indicateurs_gouvernance(r, an).set_index("entite")
        fisc = contribuables(r, ref, an)
        lignes.append({
            "scenario": nom, "annee": an,
            "gain_communes_keur": float(g.loc[list(CODES_INSEE), "gain_keur"].sum()),
            "gain_agglo_keur": float(g.loc[SIREN_AGGLO, "gain_keur"]),
            "gain_bloc_keur": float(_valeurs(r, "epargne_brute", an).get(BLOC, np.nan)
                                    - _valeurs(ref, "epargne_brute", an).get(BLOC, np.nan)),
            "cif": float(_valeurs(r, "cif", an).get(SIREN_AGGLO, np.nan)),
            "dotation_intercommunalite": float(_valeurs(r, "dotation_intercommunalite", an).get(SIREN_AGGLO,
                                                                                                  np.nan)),
            "ecart_fiscalite": float(fisc["ecart_fiscalite"].sum()) if len(fisc) else 0.0,
            "fpic": float(_valeurs(r, "fpic", an).get(BLOC, np.nan)),
            "sieges_orleans": float(ind.loc["45234", "sieges"]),
        })
    return pd.DataFrame(lignes)


def tableau_synthese(resultats: dict, contrefactuels: dict, exemple: bool):
    """The side-by-side table of every scenario (:func:`synthese`) in the house style."""
    t, f = termes_en_colonnes(synthese(resultats, contrefactuels).rename(columns={"annee": "Année"}))
    return tableau(t, formats=f, titre="Tous les scénarios côte à côte (dernière année de l'horizon)",
                   source=SOURCE + " ; écarts avec le même scénario sans action", exemple=exemple)


def page_scenario(res, ref, exemple: bool) -> list:
    """The page of one scenario: what changes, the legal conditions, the gains per entity, the governance
    indicators, the agglomeration's DGF and CIF, the taxpayers' side, then the detail of each action."""
    sc = res.scenario
    src = SOURCE + f" ; {millesime(sc)} ; épargne brute comparée au même scénario sans action"
    out = [markdown(f"## {sc.nom}\n\n{sc.description}"),
           tableau_termes(tableau_actions(sc), titre="Ce qui change", source=f"Scénario « {sc.nom} » : actions et hypothèses retenues")]
    cond = conditions_legales(res)
    if len(cond):
        out.append(tableau(cond, titre="Conditions légales (articles, majorités, dates)", source="CGCT, CGI"))
    for titre, t in ((f"Qui gagne, qui perd en {sc.fin} (épargne brute)", gains_entites(res, ref)),
                     (f"Attributions, DSC, FPIC et sièges en {sc.fin}", indicateurs_gouvernance(res))):
        t, f = termes_en_colonnes(t.drop(columns="entite"))
        out.append(tableau(t, formats=f, titre=titre, source=src, exemple=exemple))
    t, f = termes_en_colonnes(agglomeration(res, ref).rename(columns={"annee": "Année"}))
    out.append(tableau(t, formats=f, titre="L'agglomération : DGF, dotation d'intercommunalité et CIF "
                       "(scénario / sans action)", source=src, exemple=exemple))
    c = contribuables(res, ref)
    out.append(markdown("**Côté contribuables.** " + NOTE_CONTRIBUABLES + ("" if len(c) else
                        " Ce scénario ne modifie aucun taux.")))
    if len(c):
        t, f = termes_en_colonnes(c.drop(columns="entite"))
        out.append(tableau(t, formats=f, titre=f"Produit fiscal supplémentaire en {sc.fin}", source=src,
                           exemple=exemple))
    for titre, t, f in tableaux_details(res):
        out.append(tableau(t, formats=f, titre=titre, source=src, exemple=exemple))
    return out
