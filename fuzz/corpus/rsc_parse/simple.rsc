/queue simple
add max-limit=2M/5M name=q1 target=192.168.88.2
