"""The Open311 GeoReport v2 interface (http://wiki.open311.org/GeoReport_v2) under
/open311/v2/: the categories as services, work orders as service requests, filed with an
organisation's API key. A plain package, not an app: its models live in ``workorders``."""
