"""Schéma de mutualisation des services (art. L.5211-39-1 CGCT) as a scenario action: several services communs
(art. L.5211-4-2 CGCT) at once, each applied by the engine's service-commun function, with the yearly cost of
aligning the régime indemnitaire of the staff transferred (art. L.5211-4-1, an explicit assumption of the file)
and the coefficient de mutualisation (art. L.5211-4-1 V) before and after."""
from __future__ import annotations

import numpy as np
import pandas as pd

from orleans_gov.base.territoire import SIREN_AGGLO
from orleans_gov.scenarios.actions.commun import Contexte, Effets
from orleans_gov.scenarios.actions.service_commun import appliquer_service_commun
from orleans_gov.scenarios.etat import IA
from orleans_gov.scenarios.gouvernance import coefficient_mutualisation, echeances_schema
from orleans_gov.scenarios.schema import SchemaMutualisation

RENOUVELLEMENT_2014 = "2014-03-30"
"""Second round of the 2014 municipal elections: the schéma is due within the year after the renewal (L5211-39-1)."""


def appliquer_schema_mutualisation(eff: Effets, action: SchemaMutualisation, k: int, ctx: Contexte) -> None:
    """Each service of the schéma is a service commun (:func:`appliquer_service_commun`: cost key, refacturation
    or imputation on the AC, staff and FTE moved to the agglomeration, economies of scale from their year); the
    alignment of the régime indemnitaire adds ``alignement_ri_keur_an`` to the agglomeration's charges from the
    service's date (prorata the first year). Details: one table per service, the schéma's calendar and, when the
    collection table ``fonctions_support`` is imported, the coefficient de mutualisation before and after (the
    DGF never used it: art. L.5211-30 as in force never took it into account)."""
    lignes = []
    for j, s in enumerate(action.services):
        avant = set(eff.details)
        appliquer_service_commun(eff, s, k, ctx)
        for cle in [c for c in eff.details if c not in avant]:
            eff.details[f"actions[{k}] service commun du schéma : {s.nom}"] = eff.details.pop(cle)
        eff.abs_charges[IA] += s.alignement_ri_keur_an * ctx.facteur(s.annee, s.prorata)
        lignes.append({"service": s.nom, "date": s.date, "communes": len(s.communes), "financement": s.financement,
                       "cle_repartition": s.cle_repartition, "economies_etp": s.economies_etp,
                       "alignement_ri_keur_an": s.alignement_ri_keur_an})
    e = echeances_schema(RENOUVELLEMENT_2014, action.date)
    t = pd.DataFrame(lignes).assign(action=k, obligatoire=e.obligatoire, date_limite_rapport=e.date_limite_rapport,
                                    approbation=e.approbation)
    fs = ctx.donnees.fonctions_support
    if fs is not None:
        R = ctx.scenario.annee_reference
        etat = fs[fs["an"] == R].assign(entite=lambda x: x["entite"].astype(str))
        pooling = {(e, fn): s.nom for s in action.services for e in s.communes + (SIREN_AGGLO,)
                   for fn in s.fonctions_support}
        etat = etat.assign(service=[pooling.get((e, fn)) for e, fn in zip(etat["entite"], etat["fonction_support"])])
        eff.details[f"actions[{k}] schéma de mutualisation : état des lieux"] = etat[
            ["fonction_support", "entite", "etp", "cout", "provenance", "service"]].reset_index(drop=True)
        # staff remuneration moved to the agglomeration (L5211-4-1 V « y compris les fonctionnaires et agents
        # transférés »): the members' personnel cost of the pooled functions
        poolees = etat[etat["service"].notna() & (etat["entite"] != SIREN_AGGLO)]
        transferes = poolees.groupby("entite")["cout"].sum().to_dict()
        try:
            avant = coefficient_mutualisation(fs, SIREN_AGGLO, action.date, annee=R)
            apres = coefficient_mutualisation(fs, SIREN_AGGLO, action.date, annee=R, transferes=transferes)
            t = t.assign(coefficient_mutualisation_avant=avant.coefficient,
                         coefficient_mutualisation_apres=apres.coefficient, pris_en_compte_dgf=avant.pris_en_compte_dgf)
        except (KeyError, ValueError) as err:
            t = t.assign(coefficient_mutualisation_avant=np.nan, coefficient_mutualisation_apres=np.nan,
                         coefficient_note=str(err))
    eff.details[f"actions[{k}] schéma de mutualisation"] = t
