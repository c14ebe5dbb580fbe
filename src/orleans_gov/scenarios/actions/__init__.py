"""Effects of the actions of a scenario on the projection: one function per action type, in its own module
(:mod:`.transfert`, :mod:`.service_commun`, :mod:`.pacte_financier`), each citing its law and calling the tested
helpers of :mod:`orleans_gov.scenarios.clect`; :func:`effets_actions` dispatches.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from orleans_gov.scenarios.actions.commun import Contexte, Effets, indice
from orleans_gov.scenarios.actions.gouvernance_categorie import appliquer_changement_categorie
from orleans_gov.scenarios.actions.gouvernance_conseil import appliquer_composition_conseil
from orleans_gov.scenarios.actions.gouvernance_mutualisation import appliquer_schema_mutualisation
from orleans_gov.scenarios.actions.gouvernance_pacte import (appliquer_dsc_criteres, appliquer_fpic_repartition,
                                                             appliquer_revision_attributions)
from orleans_gov.scenarios.actions.pacte_financier import appliquer_pacte_financier, repartition_dsc
from orleans_gov.scenarios.actions.service_commun import appliquer_service_commun
from orleans_gov.scenarios.actions.transfert import appliquer_transfert
from orleans_gov.scenarios.donnees import DonneesReference
from orleans_gov.scenarios.etat import E, EST_AGGLO, IDX, Base
from orleans_gov.scenarios.schema import (FAMILLES, NIVEAUX, ChangementCategorie, CompositionConseil, DscCriteres,
                                          FpicRepartition, PacteFinancier, RevisionAttributions, Scenario,
                                          SchemaMutualisation, ServiceCommun, Transfert)

APPLIQUER: dict[type, Callable[[Effets, object, int, Contexte], None]] = {
    Transfert: appliquer_transfert,
    ServiceCommun: appliquer_service_commun,
    PacteFinancier: appliquer_pacte_financier,
    # governance actions of issue 12 (actions/gouvernance_*.py)
    ChangementCategorie: appliquer_changement_categorie,
    RevisionAttributions: appliquer_revision_attributions,
    DscCriteres: appliquer_dsc_criteres,
    FpicRepartition: appliquer_fpic_repartition,
    SchemaMutualisation: appliquer_schema_mutualisation,
    CompositionConseil: appliquer_composition_conseil,
}
"""The function that applies each action type (one per model of :mod:`orleans_gov.scenarios.schema.actions`)."""

__all__ = ["APPLIQUER", "Contexte", "Effets", "effets_actions", "repartition_dsc"]


def _effets_initiaux(scenario: Scenario, base: Base, ctx: Contexte) -> Effets:
    """The baseline without action: AC not indexed, DSC at its own growth, the equipment programme of the
    reference year × its growth (or the explicit programme), the chosen drawings on the fonds de roulement."""
    h = scenario.hypotheses
    T = len(ctx.toutes)
    prelev = np.zeros((E, T))
    for e, par_an in h.prelevement_fonds_roulement.items():
        for a, m in par_an.items():
            prelev[IDX[e], ctx.toutes.index(a)] = m
    equip = np.empty((E, T))
    equip[~EST_AGGLO] = base.equipement[~EST_AGGLO, None] * ctx.indice_investissement["communes"][None, :]
    equip[EST_AGGLO] = base.equipement[EST_AGGLO, None] * ctx.indice_investissement["agglomeration"][None, :]
    for e, par_an in h.investissement.programme.items():
        for a, m in par_an.items():
            equip[IDX[e], ctx.toutes.index(a)] = m
    return Effets(ac=np.repeat(base.ac[:, None], T, axis=1),
                  dsc=np.repeat(base.dsc[:, None], T, axis=1) * (1 + h.croissance_dsc) ** np.arange(T)[None, :],
                  m_fisc=np.ones((E, T)), dc={f: np.zeros((E, T)) for f in FAMILLES + ("equipement",)},
                  da={f: np.zeros((E, T)) for f in FAMILLES + ("equipement",)}, abs_recettes=np.zeros((E, T)),
                  abs_charges=np.zeros((E, T)), equipement=equip, etp=np.repeat(base.etp[:, None], T, axis=1),
                  prelevement=prelev)


def effets_actions(scenario: Scenario, donnees: DonneesReference, base: Base) -> Effets:
    """Turn the scenario's actions into arrays of effects (see :class:`Effets`), in the order of the file."""
    R = scenario.annee_reference
    annees = scenario.annees
    h = scenario.hypotheses
    T = len(annees) + 1
    ctx = Contexte(scenario=scenario, donnees=donnees, base=base, toutes=[R] + annees,
                   indice={niv: {f: indice(h.croissance[niv][f], annees) for f in FAMILLES} for niv in NIVEAUX},
                   indice_investissement={niv: (1 + h.investissement.croissance[niv]) ** np.arange(T)
                                          for niv in NIVEAUX})
    eff = _effets_initiaux(scenario, base, ctx)
    for k, action in enumerate(scenario.actions):
        APPLIQUER[type(action)](eff, action, k, ctx)
    # the equipment programme including the transfers (communes' investment index for moved programmes)
    eff.equipement = (eff.equipement + eff.dc["equipement"] * ctx.indice_investissement["communes"][None, :]
                      + eff.da["equipement"] * ctx.indice_investissement["agglomeration"][None, :])
    return eff
