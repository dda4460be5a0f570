/interface bridge
add name=bridge1
/queue simple
:log info x
add name=x target=1.1.1.1; add name=y target=1.1.1.2
/queue simple add name=z target=1.1.1.3
