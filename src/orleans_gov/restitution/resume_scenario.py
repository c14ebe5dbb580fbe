"""Short French summary of a projected scenario against its counterfactual (terminal output of
``orleans-gov scenario``)."""
from __future__ import annotations

import pandas as pd

from orleans_gov.base.provenance import TEXTE_EXEMPLE
from orleans_gov.base.territoire import SIREN_AGGLO
from orleans_gov.restitution.formats import fmt_nombre
from orleans_gov.restitution.textes import compte
from orleans_gov.scenarios import BLOC, Resultat


def _cumul(df: pd.DataFrame, ent: str, ind: str, horizon: list[int]) -> float:
    return float(df[(df.entite == ent) & (df.indicateur == ind) & df.annee.isin(horizon)]["valeur"].sum())


def _fin(df: pd.DataFrame, ent: str, ind: str, annee: int) -> float:
    s = df[(df.entite == ent) & (df.indicateur == ind) & (df.annee == annee)]["valeur"]
    return float(s.iloc[0])


def resume(res: Resultat, ref: Resultat) -> str:
    """Short French summary of a scenario against its counterfactual (terminal output): épargne nette cumulée
    of the bloc, capacité de désendettement and debt at the end, CIF and dotation d'intercommunalité, FTE, and
    the legal parameters the scenario overrode."""
    sc = res.scenario
    L, R0 = res.long, ref.long
    horizon = list(range(sc.debut, sc.fin + 1))
    lignes = [f"Scénario : {sc.nom} ({sc.debut}–{sc.fin}, référence {sc.annee_reference}) — "
              f"{compte(len(sc.actions), 'action', aucun=False)}"]
    if res.exemple:
        lignes.append(f"ATTENTION : {TEXTE_EXEMPLE[0].lower()}{TEXTE_EXEMPLE[1:]}")
    en, en0 = _cumul(L, BLOC, "epargne_nette", horizon), _cumul(R0, BLOC, "epargne_nette", horizon)
    lignes.append(f"Épargne nette cumulée du bloc : {fmt_nombre(en)} k€ (écart avec le même scénario sans action : "
                  f"{fmt_nombre(en - en0)} k€)")
    for ent, nom in ((SIREN_AGGLO, "agglomération"), (BLOC, "bloc")):
        cd = _fin(L, ent, "capacite_desendettement", sc.fin)
        txt = "non calculable (épargne brute ≤ 0)" if cd != cd else f"{fmt_nombre(cd, 1)} ans"
        lignes.append(f"Capacité de désendettement {sc.fin} ({nom}) : {txt} ; encours "
                      f"{fmt_nombre(_fin(L, ent, 'encours_dette', sc.fin))} k€")
    lignes.append(f"CIF {sc.fin} : {fmt_nombre(_fin(L, SIREN_AGGLO, 'cif', sc.fin), 3)} (sans action : "
                  f"{fmt_nombre(_fin(R0, SIREN_AGGLO, 'cif', sc.fin), 3)}) ; dotation d'intercommunalité "
                  f"{fmt_nombre(_fin(L, SIREN_AGGLO, 'dotation_intercommunalite', sc.fin))} k€")
    lignes.append(f"ETP agglomération {sc.fin} : {fmt_nombre(_fin(L, SIREN_AGGLO, 'etp', sc.fin))} "
                  f"({res.base.methode_etp})")
    for nom, valeur in sc.parametres.items():
        lignes.append(f"Paramètre surchargé par le scénario : {nom} = {str(valeur).replace('.', ',')}")
    return "\n".join(lignes)
