-- VAT in Kazakhstan: 12 % (Tax Code of 2008, in force 2009-01-01) and 16 %
-- for turnover from 2026-01-01 (law 214-VIII of 2025-07-18). The rate of a
-- document is the one in force on its turnover date.
INSERT INTO vat_rates (valid_from, rate_percent, source) VALUES
  ('2009-01-01', 12, 'Tax Code of the Republic of Kazakhstan, 2008'),
  ('2026-01-01', 16, 'Law 214-VIII of 2025-07-18');
