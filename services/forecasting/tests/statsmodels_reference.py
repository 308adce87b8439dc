"""Reference fits for forecasting_models_test: statsmodels' ETS and Holt-Winters
on a series read from a file (one value per line). Prints, per model, one line:
name, log-likelihood (ETS only, else nan) and 12 forecasts."""
import sys
import warnings

import numpy as np
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.holtwinters import ExponentialSmoothing

warnings.simplefilter("ignore")
y = np.loadtxt(sys.argv[1])
h = 12
fits = {
    "ets_mam": ETSModel(y, error="mul", trend="add", seasonal="mul", seasonal_periods=12),
    "ets_aada": ETSModel(y, error="add", trend="add", damped_trend=True, seasonal="add",
                         seasonal_periods=12),
    "ets_ann": ETSModel(y, error="add", trend=None, seasonal=None),
}
for name, model in fits.items():
    res = model.fit(disp=False, maxiter=5000)
    print(name, res.llf, " ".join(repr(v) for v in res.forecast(h)))
hw = ExponentialSmoothing(y, trend="add", seasonal="mul", seasonal_periods=12).fit()
print("hw_add_mul", "nan", " ".join(repr(v) for v in hw.forecast(h)))
