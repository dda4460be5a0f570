# Billing pages: packages, customers, payments, receipts, reports, the isolation setup.
