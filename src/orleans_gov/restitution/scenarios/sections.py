"""The sections of the scenario notebook (03) as lists of displayable objects (tables, figures, Markdown), in the
order they are shown (:func:`orleans_gov.restitution.fragments.afficher`)."""
from __future__ import annotations


from orleans_gov.restitution.fragments import markdown
from orleans_gov.restitution.scenarios.commun import SOURCE, millesime
from orleans_gov.restitution.scenarios.graphiques import fig_effets_annuels, fig_effets_communes
from orleans_gov.restitution.scenarios.phrases import phrases_scenario
from orleans_gov.restitution.scenarios.tableaux import (formats_agglo_annuel, formats_cif, formats_effets,
                                                        tableau_actions, tableau_agglo_annuel, tableau_cif,
                                                        tableau_effets_communes, tableaux_details)
from orleans_gov.restitution.tableaux import tableau, tableau_termes

SOURCE_CIF = SOURCE + " ; CIF art. L.5211-30 CGCT (AC + moitié de la DSC déduites), règle de dotation simplifiée"


def elements_scenario(res, ref, exemple: bool) -> list:
    """Everything shown for one scenario with actions: what changes, the detail of each action, the effects year by
    year and by entity against ``ref`` (the same scenario without action), the CIF, the generated sentences."""
    sc = res.scenario
    source = SOURCE + f" ; {millesime(sc)}"
    elements = [markdown(f"### {sc.nom}\n\n{sc.description}"),
                tableau_termes(tableau_actions(sc), titre="Ce qui change", source=f"Scénario « {sc.nom} » : actions et hypothèses retenues")]
    for titre, t, formats in tableaux_details(res):
        elements.append(tableau(t, formats=formats, titre=titre, source=source, exemple=exemple))
    elements.append(fig_effets_annuels(res, ref, exemple))
    t = tableau_agglo_annuel(res, ref)
    elements.append(tableau(t, formats=formats_agglo_annuel(t), titre=f"{sc.nom} : écarts année par année (k€)",
                            source=source, exemple=exemple))
    t = tableau_cif(res, ref)
    elements.append(tableau(t, formats=formats_cif(t), titre=f"{sc.nom} : CIF et dotation d'intercommunalité de "
                            "l'agglomération", source=SOURCE_CIF, exemple=exemple))
    elements.append(fig_effets_communes(res, ref, exemple))
    elements.append(tableau(tableau_effets_communes(res, ref), formats=formats_effets(sc), source=source,
                            titre=f"{sc.nom} : effets par entité (écarts avec le scénario sans action)",
                            exemple=exemple))
    elements += [markdown("- " + p) for p in phrases_scenario(res, ref)]
    return elements
