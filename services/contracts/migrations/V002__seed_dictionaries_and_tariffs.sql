-- Fixed dictionaries and KEGOC's published tariff history (DOMAIN.md).
-- Regions, substations, lines and banks are demo or operational data loaded
-- through the API, not seeded here.

INSERT INTO reference_records (kind, code, name, name_kk, valid_from, nominal_kv) VALUES
  ('SERVICE_TYPE', 'TRANSMISSION',
   'Передача электрической энергии по национальной электрической сети',
   'Ұлттық электр желісі бойынша электр энергиясын беру', '2000-01-01', NULL),
  ('SERVICE_TYPE', 'TECHNICAL_DISPATCHING',
   'Техническая диспетчеризация отпуска в сеть и потребления электрической энергии',
   'Желіге босатуды және электр энергиясын тұтынуды техникалық диспетчерлеу',
   '2000-01-01', NULL),
  ('SERVICE_TYPE', 'BALANCING',
   'Организация балансирования производства-потребления электрической энергии',
   'Электр энергиясын өндіру-тұтынудың теңгерімделуін ұйымдастыру', '2000-01-01', NULL),
  ('SERVICE_TYPE', 'GRID_USE', 'Пользование национальной электрической сетью',
   'Ұлттық электр желісін пайдалану', '2023-07-01', NULL),

  ('PARTICIPANT_ROLE', 'GENERATOR', 'Энергопроизводящая организация',
   'Энергия өндіруші ұйым', '2000-01-01', NULL),
  ('PARTICIPANT_ROLE', 'CONSUMER', 'Оптовый потребитель', 'Көтерме тұтынушы', '2000-01-01', NULL),
  ('PARTICIPANT_ROLE', 'DISTRIBUTION_COMPANY', 'Региональная электросетевая компания',
   'Өңірлік электр желілік компания', '2000-01-01', NULL),
  ('PARTICIPANT_ROLE', 'ENERGY_SUPPLIER', 'Энергоснабжающая организация',
   'Энергиямен жабдықтаушы ұйым', '2000-01-01', NULL),
  ('PARTICIPANT_ROLE', 'SINGLE_BUYER', 'Единый закупщик электрической энергии',
   'Электр энергиясының бірыңғай сатып алушысы', '2000-01-01', NULL),
  ('PARTICIPANT_ROLE', 'TRADER', 'Трейдер балансирующего рынка',
   'Теңгерімдеуші нарықтың трейдері', '2000-01-01', NULL),
  ('PARTICIPANT_ROLE', 'EXPORTER', 'Экспортер электрической энергии',
   'Электр энергиясының экспорттаушысы', '2000-01-01', NULL),
  ('PARTICIPANT_ROLE', 'IMPORTER', 'Импортер электрической энергии',
   'Электр энергиясының импорттаушысы', '2000-01-01', NULL),

  ('DOCUMENT_TYPE', 'INVOICE', 'Счет на оплату', 'Төлем шоты', '2000-01-01', NULL),
  ('DOCUMENT_TYPE', 'ACT', 'Акт оказанных услуг (форма Р-1)',
   'Көрсетілген қызметтер актісі (Р-1 нысаны)', '2000-01-01', NULL),
  ('DOCUMENT_TYPE', 'EVAT_INVOICE', 'Электронный счет-фактура', 'Электрондық шот-фактура',
   '2000-01-01', NULL),
  ('DOCUMENT_TYPE', 'CREDIT_NOTE', 'Кредит-нота (уменьшение начисления)',
   'Кредит-нота (есептеуді азайту)', '2000-01-01', NULL),
  ('DOCUMENT_TYPE', 'DEBIT_NOTE', 'Дебет-нота (увеличение начисления)',
   'Дебет-нота (есептеуді ұлғайту)', '2000-01-01', NULL),
  ('DOCUMENT_TYPE', 'RECONCILIATION_ACT', 'Акт сверки взаиморасчетов',
   'Өзара есеп айырысуларды салыстыру актісі', '2000-01-01', NULL),

  ('VOLTAGE_LEVEL', '1150', '1150 кВ', '1150 кВ', '2000-01-01', 1150),
  ('VOLTAGE_LEVEL', '500', '500 кВ', '500 кВ', '2000-01-01', 500),
  ('VOLTAGE_LEVEL', '220', '220 кВ', '220 кВ', '2000-01-01', 220),
  ('VOLTAGE_LEVEL', '110', '110 кВ', '110 кВ', '2000-01-01', 110),
  ('VOLTAGE_LEVEL', '35', '35 кВ', '35 кВ', '2000-01-01', 35),
  ('VOLTAGE_LEVEL', '10', '10 кВ', '10 кВ', '2000-01-01', 10),

  ('UNIT', 'KWH', 'кВт·ч', 'кВт·сағ', '2000-01-01', NULL),
  ('UNIT', 'MWH', 'МВт·ч', 'МВт·сағ', '2000-01-01', NULL);

INSERT INTO reference_record_history
  (record_id, version, actor, change_time, action, reason, fields, old_values, new_values)
SELECT id, 1, 'system', create_time, 'create', 'seeded by migration V002',
       ARRAY['kind', 'code', 'name', 'name_kk', 'valid_from']
         || CASE WHEN nominal_kv IS NULL THEN ARRAY[]::text[]
                 ELSE ARRAY['voltage_level.nominal_kv'] END,
       array_fill(''::text, ARRAY[5 + (nominal_kv IS NOT NULL)::int]),
       ARRAY[kind, code, name, name_kk, to_char(valid_from, 'YYYY-MM-DD')]
         || CASE WHEN nominal_kv IS NULL THEN ARRAY[]::text[]
                 ELSE ARRAY[nominal_kv::text] END
FROM reference_records;

-- KEGOC's tariffs, tenge per kWh excluding VAT. Each row is in force until
-- the day before the next row of its service; the last is open-ended.
INSERT INTO tariffs (service_type, price_per_kwh, valid_from, valid_to, order_reference, note)
WITH rows (valid_from, transmission, dispatching, balancing, order_reference) AS (VALUES
  (DATE '2014-11-01', 1.954, 0.182,  0.083, 'Order No. 105-ОД of 2014'),
  (DATE '2015-04-01', 1.943, 0.182,  0.083, 'KEGOC tariff notice'),
  (DATE '2016-01-01', 2.080, 0.231,  0.084, 'KEGOC tariff notice'),
  (DATE '2017-01-01', 2.246, 0.234,  0.086, 'KEGOC tariff notice'),
  (DATE '2018-01-01', 2.496, 0.2482, 0.091, 'KEGOC tariff notice'),
  (DATE '2018-08-01', 2.496, 0.237,  0.088, 'KEGOC tariff notice'),
  (DATE '2020-01-01', 2.797, 0.306,  0.098, 'KEGOC tariff notice'),
  (DATE '2022-10-01', 2.848, 0.314,  0.102, 'Order No. 79-ОД of 2021'),
  (DATE '2023-10-01', 3.004, 0.333,  0.105, 'Order No. 79-ОД of 2021'),
  (DATE '2024-10-01', 3.106, 0.348,  0.108, 'Order No. 79-ОД of 2021'),
  (DATE '2025-10-01', 3.134, 0.355,  0.110, 'Order No. 79-ОД of 2021'))
SELECT s.service_type, s.price, r.valid_from,
       lead(r.valid_from) OVER (PARTITION BY s.service_type ORDER BY r.valid_from) - 1,
       r.order_reference, 'KEGOC tariff page and annual reports 2019, 2022'
FROM rows r
CROSS JOIN LATERAL (VALUES ('TRANSMISSION', r.transmission),
                           ('TECHNICAL_DISPATCHING', r.dispatching),
                           ('BALANCING', r.balancing)) AS s(service_type, price);

-- The use-of-grid tariff was not found in public sources: a plausible value.
INSERT INTO tariffs (service_type, price_per_kwh, valid_from, valid_to, order_reference, note)
VALUES ('GRID_USE', 1.150, '2023-07-01', NULL, 'KEGOC tariff notice',
        'demo value: the published tariff of this service was not found');

INSERT INTO tariff_history
  (tariff_id, version, actor, change_time, action, reason, fields, old_values, new_values)
SELECT id, 1, 'system', create_time, 'create', 'seeded by migration V002',
       ARRAY['service_type', 'price_per_kwh', 'valid_from', 'valid_to', 'order_reference', 'note'],
       ARRAY['', '', '', '', '', ''],
       ARRAY[service_type, trim_scale(price_per_kwh)::text, to_char(valid_from, 'YYYY-MM-DD'),
             coalesce(to_char(valid_to, 'YYYY-MM-DD'), ''), order_reference, note]
FROM tariffs;
