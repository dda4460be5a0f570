/ip firewall layer7-protocol
add name=x regexp=^a
add name=y regexp=^b
add name=x regexp=^c
/queue simple
add name=q target=10.0.0.1
add max-limit=1M/1M name=q target=10.0.0.2
add name=r target=10.0.0.3
add name=q parent=r target=10.0.0.4
