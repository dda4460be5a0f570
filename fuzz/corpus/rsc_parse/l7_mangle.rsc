# by RouterOS 7.16
/ip/firewall/layer7-protocol
add name=tiktok regexp="^.+(tiktok|byte\
    dance).*\$"
/ip firewall mangle
add action=mark-connection chain=prerouting layer7-protocol=tiktok \
    new-connection-mark=tt passthrough=yes
add action=mark-packet chain=prerouting connection-mark=tt new-packet-mark=tt-p passthrough=no
/ip firewall filter
add action=drop chain=forward layer7-protocol=tiktok
