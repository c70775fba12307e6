'use strict';

// The trace types the forecaster's dashboard draws (dashboard/figures): scatter (in core),
// bar, waterfall, and scattergl for series of 2,000 points or more.
var Plotly = require('./core');

Plotly.register([
    require('./bar'),
    require('./waterfall'),
    require('./scattergl'),
]);

module.exports = Plotly;
