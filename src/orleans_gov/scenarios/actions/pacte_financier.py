"""Fiscal and financial pact: dotation de solidarité communautaire and tax-rate changes (art. 1609 nonies C VI CGI)."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import CODES_INSEE, nom_entite
from orleans_gov.scenarios.actions.commun import Contexte, Effets
from orleans_gov.scenarios.donnees import DonneesReference
from orleans_gov.scenarios.etat import IA, IDX, Base
from orleans_gov.scenarios.schema import PacteFinancier


def repartition_dsc(base: Base, criteres: Mapping[str, float], donnees: DonneesReference | None = None
                    ) -> pd.Series:
    """Shares of the DSC envelope per commune (sum = 1), from weighted criteria (art. 1609 nonies C VI CGI:
    criteria « fixés librement » by the council, population and potentiel fiscal/financier weighing most).

    - ``population``: pop_c / Σ pop (DGFiP ``pop1`` of the reference year);
    - ``potentiel_fiscal``: pop_c × (PF moyen / PF_c) normalised, with PF_c = impôts locaux per inhabitant
      (``impo1 / pop1``) as the PROXY of the potentiel fiscal available in the data (the true potentiel fiscal
      applies the national average rates to the bases: not in the accounts used);
    - ``revenu``: pop_c × (R moyen / R_c) normalised, with R_c = bases nettes de taxe d'habitation per inhabitant
      (``bth / pop1``) as the PROXY of income (no income data in the perimeter's tables); refused when a base is
      missing.
    """
    pop = pd.Series(base.population[:IA], index=list(CODES_INSEE))
    parts = pd.Series(0.0, index=list(CODES_INSEE))
    for crit, w in criteres.items():
        if crit == "population":
            s = pop / pop.sum()
        elif crit == "potentiel_fiscal":
            pf = pd.Series(base.fiscalite[:IA], index=pop.index) / pop
            moyen = base.fiscalite[:IA].sum() / pop.sum()
            s = pop * moyen / pf
            s = s / s.sum()
        elif crit == "revenu":
            bth = pd.Series(base.bases_th[:IA], index=pop.index)
            if bth.isna().any():
                manq = list(bth.index[bth.isna()])
                raise ErreurDonnees(f"critère « revenu » : bases de taxe d'habitation manquantes pour {manq} "
                                    f"en {base.annee}", fichier=(donnees.sources.get("finances_communes")
                                                                  if donnees else "finances_communes"),
                                    colonne="bth")
            r = bth / pop
            s = pop * (bth.sum() / pop.sum()) / r
            s = s / s.sum()
        else:  # pragma: no cover - the schema refuses other criteria
            raise ValueError(crit)
        parts = parts + w * s
    return parts


def appliquer_pacte_financier(eff: Effets, action: PacteFinancier, k: int, ctx: Contexte) -> None:
    """Pacte financier et fiscal.

    DSC (art. 1609 nonies C VI CGI): from the date, the envelope ``montant_keur`` (indexed yearly by
    ``indexation``) replaces the reference DSC and is shared between the communes by the weighted criteria
    (:func:`repartition_dsc`); the agglomeration pays it. Tax rates: each variation multiplies the tax receipts
    of the entities named from its year (constant bases: + 2 % of rates = + 2 % of product).
    """
    annees = ctx.annees
    base = ctx.base
    if action.dsc_montant_keur is not None:
        poids = repartition_dsc(base, action.criteres, ctx.donnees)
        montant = action.dsc_montant_keur * (1 + action.dsc_indexation) ** np.clip(annees - action.annee, 0, None)
        apres = annees >= action.annee
        nouvelle = poids.to_numpy()[:, None] * montant[None, :]
        eff.dsc[:IA, apres] = nouvelle[:, apres]
        eff.dsc[IA] = -eff.dsc[:IA].sum(axis=0)
        d = pd.DataFrame({"entite": list(CODES_INSEE), "commune": [nom_entite(c) for c in CODES_INSEE],
                          "dsc_reference": base.dsc[:IA], "part": poids.to_numpy(),
                          "dsc_pacte_premiere_annee": nouvelle[:, ctx.toutes.index(action.annee)]})
        eff.details[f"actions[{k}] pacte DSC"] = d.assign(action=k, annee=action.annee)
    for vt in action.taux:
        for e in vt.entites:
            eff.m_fisc[IDX[e], annees >= vt.annee] *= 1 + vt.variation
