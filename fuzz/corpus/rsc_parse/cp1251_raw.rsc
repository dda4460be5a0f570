/queue simple
add comment="Привет cafй" name=qяю target=10.0.0.2
