"""Shared service between the agglomeration and member communes (service commun, art. L.5211-4-2 CGCT)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import SIREN_AGGLO, nom_entite
from orleans_gov.scenarios import clect
from orleans_gov.scenarios.actions.commun import Contexte, Effets, depenses_fonction
from orleans_gov.scenarios.donnees import DonneesReference
from orleans_gov.scenarios.etat import IA, IDX
from orleans_gov.scenarios.schema import ServiceCommun


def fonctions_support(donnees: DonneesReference, entites: tuple[str, ...], fonctions: tuple[str, ...], annee: int
                      ) -> tuple[dict[str, float], dict[str, float]]:
    """Personnel cost (k€) and FTE of the given support functions per entity (collection table
    ``fonctions_support``, reference year); every entity must have every function's line."""
    fs = donnees.fonctions_support
    fichier = donnees.sources.get("fonctions_support", "fonctions_support")
    if fs is None:
        raise ErreurDonnees("table « fonctions_support » (classeurs de collecte) absente : importer les classeurs "
                            "ou utiliser « part_fonction_0 » dans le scénario", fichier=fichier)
    sel = fs[(fs["an"] == annee) & fs["fonction_support"].isin(fonctions)]
    sel = sel.assign(entite=sel["entite"].astype(str))
    couts, etps = {}, {}
    for e in entites:
        d = sel[sel["entite"] == e]
        manquantes = [f for f in fonctions if f not in set(d["fonction_support"])]
        if manquantes or d[["etp", "cout"]].isna().any().any():
            raise ErreurDonnees(f"fonctions support {manquantes or list(fonctions)} manquantes ou incomplètes pour "
                                f"{e} ({nom_entite(e)}) en {annee}", fichier=fichier, colonne="fonction_support")
        couts[e] = float(d["cout"].sum())
        etps[e] = float(d["etp"].sum())
    return couts, etps


def _couts_reference(action: ServiceCommun, ctx: Contexte) -> tuple[dict[str, float], dict[str, float]]:
    """Full cost (k€) and FTE of the pooled function of each participant in the reference year: from the
    collection table (personnel cost / ``part_personnel``), else the share ``part_fonction_0`` of function 0."""
    participants = action.communes + (SIREN_AGGLO,)
    p = action.part_personnel
    R = ctx.scenario.annee_reference
    if action.fonctions_support:
        couts, etps = fonctions_support(ctx.donnees, participants, action.fonctions_support, R)
        return {e: c / p for e, c in couts.items()}, etps
    couts, etps = {}, {}
    for e in participants:
        couts[e] = float(depenses_fonction(ctx.donnees, e, "0", "fonctionnement", [R]).iloc[0]) * \
            action.part_fonction_0[e]
        etps[e] = p * couts[e] / ctx.scenario.hypotheses.cout_moyen_etp_keur
    return couts, etps


def _cle(action: ServiceCommun, ctx: Contexte, cout_R: dict[str, float], etp_R: dict[str, float]) -> pd.Series:
    """The cost key of the convention, per participant (agglomeration last)."""
    participants = list(action.communes + (SIREN_AGGLO,))
    if action.cle_repartition == "population":
        # the agglomeration bears the share of its own cost in the pooled cost; the communes share the rest by
        # population (the agglomeration's population is the whole territory's: not a key)
        total_R = sum(cout_R.values())
        part_agglo = cout_R[SIREN_AGGLO] / total_R if total_R > 0 else 0.0
        pop = pd.Series({e: ctx.base.population[IDX[e]] for e in action.communes})
        return pd.concat([pop / pop.sum() * (1 - part_agglo), pd.Series({SIREN_AGGLO: part_agglo})])
    if action.cle_repartition == "etp":
        return pd.Series({e: etp_R[e] for e in participants})
    return pd.Series(action.usage).reindex(participants)


def appliquer_service_commun(eff: Effets, action: ServiceCommun, k: int, ctx: Contexte) -> None:
    """Service commun (art. L.5211-4-2 CGCT).

    The agents and costs of the pooled function of the member communes move to the agglomeration, which runs
    the service (al. 1–3). The cost of the service (costs taken over + the agglomeration's own − the FTE saved
    × the cost of an FTE, from the year given) is split between the participants by the key of the convention
    (:func:`~orleans_gov.scenarios.clect.repartition_cle`); each commune pays its share either by deduction from
    its attribution de compensation (al. 5, :func:`~orleans_gov.scenarios.clect.imputation_service_commun`:
    the CIF rises) or by reimbursement (operating expense of the commune, receipt of the agglomeration). The
    shares are computed on the central assumptions (they are fixed by the convention).
    """
    h = ctx.scenario.hypotheses
    ind = ctx.indice
    annees = ctx.annees
    facteur = ctx.facteur(action.annee, action.prorata)
    participants = action.communes + (SIREN_AGGLO,)
    p = action.part_personnel
    cout_R, etp_R = _couts_reference(action, ctx)

    # central cost path of the pooled service (k€ of each year) as the agglomeration bears it: the communes'
    # costs keep the communes' growth, its own cost the agglomeration's, minus the economies
    def chemin(niv: str) -> np.ndarray:
        return p * ind[niv]["personnel"] + (1 - p) * ind[niv]["autres_charges"]
    cout_service = (sum(cout_R[e] for e in action.communes) * chemin("communes")
                    + cout_R[SIREN_AGGLO] * chemin("agglomeration"))
    eco = np.where(annees >= action.economies_a_partir_de, action.economies_etp * h.cout_moyen_etp_keur, 0.0)
    cout_service = cout_service - eco * ind["agglomeration"]["personnel"]
    cle = _cle(action, ctx, cout_R, etp_R)
    parts = clect.repartition_cle(1.0, cle)
    contributions = clect.repartition_cle(cout_service, cle)
    lignes = []
    for e in participants:
        i = IDX[e]
        quote = facteur * contributions.loc[e].to_numpy()
        if e != SIREN_AGGLO:
            for cible, signe in ((i, -1.0), (IA, 1.0)):
                eff.dc["personnel"][cible] += signe * facteur * p * cout_R[e]
                eff.dc["autres_charges"][cible] += signe * facteur * (1 - p) * cout_R[e]
                eff.etp[cible] += signe * facteur * etp_R[e]
            if action.financement == "imputation_ac":
                eff.ac[i] = clect.imputation_service_commun(eff.ac[i], quote)
                eff.ac[IA] += quote
            else:
                eff.abs_charges[i] += quote
                eff.abs_recettes[IA] += quote
        lignes.append({"entite": e, "entite_nom": nom_entite(e), "cout_fonction_annee_reference": cout_R[e],
                       "etp_mis_en_commun": etp_R[e], "cle": float(cle[e]), "part": float(parts[e]),
                       "contribution_premiere_annee": float(quote[ctx.toutes.index(action.annee)]),
                       "contribution_fin_horizon": float(quote[-1])})
    eff.da["personnel"][IA] -= eco
    eff.etp[IA] -= np.where(annees >= action.economies_a_partir_de, action.economies_etp, 0.0)
    eff.details[f"actions[{k}] service commun"] = pd.DataFrame(lignes).assign(
        action=k, service=action.nom, annee=action.annee, financement=action.financement,
        cle_repartition=action.cle_repartition)
