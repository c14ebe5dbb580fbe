"""Analyses over the processed tables (pure functions, no I/O).

- :mod:`orleans_gov.analyse.finances` — indicateurs financiers (épargnes, capacité de désendettement, ratios de
  l'art. R.2313-1 CGCT), comparaison à la strate, évolutions, vue consolidée du bloc communal.
- :mod:`orleans_gov.analyse.politiques` — dépenses par fonction M14, taux d'intégration par politique, charges de
  centralité, matrice des compétences.
"""
