/queue simple
add comment="caf\C3\A9 \"x\" \_y\n\t\?" max-limit=2M/5M name="a b" target=192.168.1.0/24,ether3,2001:db8::/32 time=8h-18h,mon,tue unknown=1
add burst-limit=4M/4M burst-threshold=1500k/1500k burst-time=16s/16s limit-at=1M/1M max-limit=2M/2M name=b parent="a b" priority=1/2 bucket-size=0.5/10 packet-marks=m1,m2 dst=ether1 disabled=yes
