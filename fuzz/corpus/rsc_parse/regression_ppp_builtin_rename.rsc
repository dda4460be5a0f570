# 2024-07-15 by RouterOS 7.16
/ip hotspot user profile
set [ find default=yes ] keepalive-timeout=5m shared-users=2
add address-pool=hs-pool-1 name=1Day on-login=":put (\",remc,5000,17.16,Disable,\"); {:local c [/ip hotspot user get [find where name=\$user] comment]}" parent-queue=none rate-limit=1M/2M shared-users=unlimited
add add-mac-cookie=no !insert-queue-before keepalive-timeout=2m name=2Jam !parent-queue rate-limit="512k/1M 1M/2M 384k/768k 16/16 8"
/ppp profile
set *0 only-one=yes
set *FFFFFFFE use-encryption=required™add dns-server=8.8.8.8,1.1.1.1 local-address=10.10.0.1 name=10M rate-limyt=5M/10M remote-address=pool-10M
/ip hotspot user
add comment=vc-482-07.15.24-warung name=abk37 password=abk37 profile=Day
add limit-bytes-total=1073741824 mac-address=AA:BB:CC:DD:EE:FF name=u2 password=123 profile=2Jam server=hotspot1
/ppp secret
add caller-id=AA:BB:CC:DD:EE:01 comment="ACTIVE - lunas" name=budi password=s3cret profile=10M remote-address=10.10.0.20 service=pppoe
