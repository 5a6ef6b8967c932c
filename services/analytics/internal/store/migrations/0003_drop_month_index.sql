-- SQLite chose this index over the primary key for one object's months
-- (10 ms instead of 0.1 ms); every query names its objects or the site.
DROP INDEX analytics_monthly_month;
