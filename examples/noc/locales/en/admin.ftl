# Overview, alerts, alert rules, routers, users, audit log, settings, login.
