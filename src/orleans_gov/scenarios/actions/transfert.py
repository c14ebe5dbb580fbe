"""Transfer of a competence from communes to the agglomeration (art. 1609 nonies C IV and V CGI)."""
from __future__ import annotations

import pandas as pd

from orleans_gov.base.territoire import nom_entite
from orleans_gov.scenarios import clect
from orleans_gov.scenarios.actions.commun import Contexte, Effets, depenses_fonction
from orleans_gov.scenarios.etat import IA, IDX
from orleans_gov.scenarios.schema import Transfert


def _cout_equipement(action: Transfert, commune: str, inv_moy: float) -> tuple[float, float]:
    """Annualised cost of the equipment of the competence (art. 1609 nonies C IV al. 6 CGI) and its investment
    part, by the method of the CLECT:

    - « investissement_moyen »: the average yearly investment of the period as the annualised renewal cost (cost
      = average × period, spread over the period); it includes **neither** charges financières **nor**
      maintenance (the article's cost « intègre également les charges financières et les dépenses d'entretien »:
      use « inventaire » to count them) — the CLECT table says so (``charges_financieres_incluses``);
    - « inventaire »: Σ (cost + charges financières) / durée + entretien annuel of the commune's equipment; the
      investment part is Σ cost / durée;
    - « aucun »: 0.

    Returns (annualised cost, its investment part): the grants and FCTVA (« ressources afférentes », IV) are
    receipts of the investment only, so their rate applies to the investment part, not to interest or
    maintenance."""
    if action.methode_equipement == "investissement_moyen":
        n = action.annees_moyenne_equipement
        cout = float(clect.cout_annualise_equipement(inv_moy * n, 0.0, 0.0, n))
        return cout, cout
    if action.methode_equipement == "inventaire":
        items = [x for x in action.inventaire if x.commune == commune]
        cout = float(sum(clect.cout_annualise_equipement(x.cout, x.frais_financiers, x.entretien_annuel,
                                                         x.duree_vie) for x in items))
        return cout, float(sum(x.cout / x.duree_vie for x in items))
    return 0.0, 0.0


def appliquer_transfert(eff: Effets, action: Transfert, k: int, ctx: Contexte) -> None:
    """Transfer of a competence (art. 1609 nonies C CGI).

    For each commune, the CLECT evaluates the charges transférées (IV): average net operating cost of the last N
    known years (:func:`~orleans_gov.scenarios.clect.cout_moyen_fonctionnement`, window ending at the reference
    year or the year before the transfer) + annualised equipment cost
    (:func:`~orleans_gov.scenarios.clect.cout_annualise_equipement`) − the receipts attached to them (the share
    ``recettes_liees_pct`` of the operating cost and, unless told otherwise, the grants and FCTVA of the
    equipment) (:func:`~orleans_gov.scenarios.clect.charges_transferees`); its attribution de compensation falls
    by that amount from the date, not indexed (V 2°,
    :func:`~orleans_gov.scenarios.clect.attribution_compensation_apres_transfert`). The actual cost of the
    competence in the reference year (× ``part_fonction``), its staff (``part_personnel``) and FTE, its related
    receipts and (``transfert_investissement``) its average investment move from the commune to the
    agglomeration, and keep evolving with the communes' growth.
    """
    R = ctx.scenario.annee_reference
    h = ctx.scenario.hypotheses
    facteur = ctx.facteur(action.annee, action.prorata)
    fin_fenetre = min(action.annee - 1, R)
    fen = list(range(fin_fenetre - action.annees_moyenne + 1, fin_fenetre + 1))
    fen_eq = list(range(fin_fenetre - action.annees_moyenne_equipement + 1, fin_fenetre + 1))
    it = ctx.toutes.index(action.annee)
    lignes = []
    for c in action.communes:
        i = IDX[c]
        part = action.part_fonction[c]
        couts = depenses_fonction(ctx.donnees, c, action.fonction_m14, "fonctionnement", fen) * part
        cout_moy = clect.cout_moyen_fonctionnement(couts, action.annees_moyenne)
        recettes_clect = action.recettes_liees_pct * cout_moy
        inv = depenses_fonction(ctx.donnees, c, action.fonction_m14, "investissement", fen_eq) * part
        inv_moy = float(inv.mean())
        cout_eq, cout_eq_inv = _cout_equipement(action, c, inv_moy)
        # resources attached to the equipment (subventions, FCTVA: the commune's observed share of its
        # equipment spending) are deducted like the operating receipts (art. 1609 nonies C IV), on the
        # investment part only (no grant nor FCTVA on interest or maintenance)
        recettes_eq = ctx.base.taux_recettes_inv[i] * cout_eq_inv if action.deduire_recettes_investissement else 0.0
        charges = float(clect.charges_transferees(cout_moy, cout_eq, recettes_clect + recettes_eq))
        ac_avant = float(eff.ac[i, it])
        # actual operating cost of the competence in year R, moving at the date with its staff
        cout_reel_R = float(depenses_fonction(ctx.donnees, c, action.fonction_m14, "fonctionnement", [R]).iloc[0]) \
            * part
        perso_R = action.part_personnel * cout_reel_R
        etp_c = action.etp.get(c, perso_R / h.cout_moyen_etp_keur)
        recettes_R = action.recettes_liees_pct * cout_reel_R
        eff.ac[i] = clect.attribution_compensation_apres_transfert(eff.ac[i], facteur * charges)
        eff.ac[IA] = eff.ac[IA] + facteur * charges
        for cible, signe in ((i, -1.0), (IA, 1.0)):
            eff.dc["personnel"][cible] += signe * facteur * perso_R
            eff.dc["autres_charges"][cible] += signe * facteur * (cout_reel_R - perso_R)
            eff.dc["autres_recettes"][cible] += signe * facteur * recettes_R
            if action.transfert_investissement:
                eff.dc["equipement"][cible] += signe * facteur * inv_moy
            eff.etp[cible] += signe * facteur * etp_c
        lignes.append({
            "entite": c, "commune": nom_entite(c), "annees_reference": f"{fen[0]}–{fen[-1]}",
            "cout_moyen_fonctionnement": cout_moy, "cout_annualise_equipement": cout_eq,
            "recettes_liees": recettes_clect, "recettes_investissement_deduites": recettes_eq,
            "charges_financieres_incluses": 1.0 if action.methode_equipement == "inventaire" else 0.0,
            "charges_transferees": charges, "ac_avant": ac_avant,
            "ac_apres": float(clect.attribution_compensation_apres_transfert(ac_avant, charges)),
            "cout_reel_annee_reference": cout_reel_R, "investissement_moyen_transfere": inv_moy,
            "personnel_transfere": perso_R, "etp_transferes": etp_c})
    eff.details[f"actions[{k}] transfert"] = pd.DataFrame(lignes).assign(
        action=k, competence=action.competence, annee=action.annee)
