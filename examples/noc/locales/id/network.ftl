# Queues, queue trees, the editors, Layer 7, hotspot, devices.
