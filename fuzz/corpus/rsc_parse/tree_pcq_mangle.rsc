# queue trees, queue types and mangle marks (RouterOS 7 export style)
/queue type
add kind=pcq name=pcq-down pcq-classifier=dst-address pcq-dst-address-mask=24 \
    pcq-limit=100KiB pcq-rate=2M pcq-total-limit=4000KiB
add kind=pcq name=pcq-up pcq-burst-rate=4M pcq-burst-threshold=1500k \
    pcq-burst-time=16s pcq-classifier=src-address,src-port
add kind=sfq name=fair sfq-perturb=10
add kind=bfifo bfifo-limit=30000 name=big
add kind=red name=early red-limit=100
add kind=mq-pfifo mq-pfifo-limit=100 name=mq
/ip firewall filter
add action=fasttrack-connection chain=forward connection-mark=no-mark \
    connection-state=established,related
/ip firewall mangle
add action=mark-connection chain=prerouting comment="users \C3\A9" \
    connection-state=new in-interface=bridge new-connection-mark=users \
    passthrough=yes src-address-list=clients
add action=mark-packet chain=prerouting comment=up connection-mark=users \
    in-interface=bridge new-packet-mark=up passthrough=no
add action=mark-packet chain=prerouting comment=down connection-mark=users \
    in-interface=ether1 new-packet-mark=down passthrough=no
add action=mark-packet chain=forward dst-port=5060,10000-20000 \
    new-packet-mark=voip passthrough=no protocol=udp tcp-flags=syn
add action=mark-routing chain=prerouting new-routing-mark=isp2 \
    passthrough=no src-address=10.0.2.0/24
/queue tree
add max-limit=100M name=down-all parent=global
add burst-limit=30M burst-threshold=15M burst-time=8s limit-at=10M \
    max-limit=20M name=down packet-mark=down parent=down-all queue=pcq-down
add bucket-size=0.5 comment="\CF\F0" max-limit=5M name=up packet-mark=up \
    parent=global queue=pcq-up
add disabled=yes max-limit=1M name=voip packet-mark=voip parent=ether1 \
    priority=1 queue=fair
