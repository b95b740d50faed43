"""基础库 / 数据资源池: records of 库表 resources held in the hub, validated bulk ingest, change sequence."""
