"""Tables, charts and generated sentences of the scenario notebook (03_scenarios_financiers) and of the fiche's
scenario section, over :mod:`orleans_gov.scenarios` (the engine) in the house style of :mod:`orleans_gov.restitution`:

- :mod:`.commun` — entity names, source line, reading of the engine's long results;
- :mod:`.tableaux` — tables (assumptions, actions, CLECT details, effects, CIF, comparison);
- :mod:`.graphiques` — charts (trajectory, capacité, effects, tornado, Monte-Carlo bands);
- :mod:`.phrases` — generated sentences;
- :mod:`.equilibre` — breaches of the équilibre réel by name, the engine's simplifications;
- :mod:`.sections` — one scenario's whole section, in display order;
- :mod:`.gouvernance` — the governance actions (issue 12) in the pages: lines, details, legal conditions;
- :mod:`.comparaison` — the deliverable 04_comparaison_scenarios (one page per scenario, the side-by-side table);
- :mod:`.en_bref` — the « En bref » of document 03.

``from orleans_gov.restitution import scenarios as rs`` gives all of them.
"""
from __future__ import annotations

from orleans_gov.restitution.scenarios.comparaison import (agglomeration, contribuables, gains_entites,
                                                           indicateurs_gouvernance, page_scenario, synthese,
                                                           tableau_synthese)
from orleans_gov.restitution.scenarios.commun import SOURCE, cumul, millesime, nom, serie, valeur
from orleans_gov.restitution.scenarios.en_bref import bref_scenarios
from orleans_gov.restitution.scenarios.equilibre import SIMPLIFICATIONS, phrases_equilibre, ruptures_equilibre
from orleans_gov.restitution.scenarios.graphiques import (fig_bandes, fig_capacite_entites, fig_effets_annuels,
                                                          fig_effets_communes, fig_tornado, fig_trajectoire)
from orleans_gov.restitution.scenarios.phrases import phrases_reference, phrases_scenario, phrases_sensibilite
from orleans_gov.restitution.scenarios.sections import elements_scenario
from orleans_gov.restitution.scenarios.tableaux import (colonnes_effets, fmt_annees, formats_agglo_annuel,
                                                        formats_cif, formats_effets, formats_entites,
                                                        position_nette, tableau_actions, tableau_agglo_annuel,
                                                        tableau_cif, tableau_comparaison_transpose,
                                                        tableau_effets_communes, tableau_entites,
                                                        tableau_hypotheses, tableaux_details)

__all__ = ["agglomeration", "bref_scenarios", "contribuables", "gains_entites", "indicateurs_gouvernance", "page_scenario", "synthese",
           "tableau_synthese", "SIMPLIFICATIONS", "phrases_equilibre", "ruptures_equilibre", "SOURCE", "cumul",
           "millesime", "nom", "serie", "valeur", "fig_bandes",
           "fig_capacite_entites", "fig_effets_annuels", "fig_effets_communes", "fig_tornado", "fig_trajectoire",
           "phrases_reference", "phrases_scenario", "phrases_sensibilite", "elements_scenario", "colonnes_effets",
           "fmt_annees", "formats_agglo_annuel", "formats_cif", "formats_effets", "formats_entites", "position_nette",
           "tableau_actions", "tableau_agglo_annuel", "tableau_cif", "tableau_comparaison_transpose",
           "tableau_effets_communes", "tableau_entites", "tableau_hypotheses", "tableaux_details"]
