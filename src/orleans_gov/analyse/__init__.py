"""Analyses over the processed tables (pure functions, no I/O, no sentence, no chart): DataFrames in, DataFrames out.

- :mod:`orleans_gov.analyse.finances` — indicateurs financiers (épargnes, capacité de désendettement and its class
  against the dated thresholds, ratios de l'art. R.2313-1 CGCT), évolutions, taux de croissance annuel moyen;
- :mod:`orleans_gov.analyse.strates` — comparaison à la moyenne de la strate DGFiP;
- :mod:`orleans_gov.analyse.bloc` — vue consolidée du bloc communal (flux AC + DSC retirés une fois);
- :mod:`orleans_gov.analyse.politiques` — dépenses par fonction M14, taux d'intégration par politique, charges de
  centralité, matrice des compétences;
- :mod:`orleans_gov.analyse.organisations` — effectifs, coûts de personnel, fonctions support et leurs doublons;
- :mod:`orleans_gov.analyse.colonnes` — lecture numérique stricte, divisions et sommes sans valeur inventée.

Labels and units of every output column: :mod:`orleans_gov.base.vocabulaire`; French tables and sentences:
:mod:`orleans_gov.restitution`.
"""
